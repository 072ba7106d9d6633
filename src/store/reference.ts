/**
 * References: what an on-demand store keeps of an object instead of the object itself.
 */
import type { KubeObject, ObjectMeta } from '../k8s.ts';

/**
 * A new object holding only `obj`'s identity and version: metadata.name, and
 * metadata.namespace, uid and resourceVersion when `obj` has them. Nothing of `obj` is
 * shared, so its body can be collected. A value without metadata is returned as it is,
 * for the store to reject with a StoreError.
 */
export function toReference(obj: KubeObject): KubeObject {
  const meta = (obj as { metadata?: ObjectMeta } | null)?.metadata;
  if (meta === null || typeof meta !== 'object') return obj;
  const metadata: ObjectMeta = { name: meta.name };
  if (meta.namespace !== undefined) metadata.namespace = meta.namespace;
  if (meta.uid !== undefined) metadata.uid = meta.uid;
  if (meta.resourceVersion !== undefined) metadata.resourceVersion = meta.resourceVersion;
  return { metadata };
}

/** The cache key of an object's identity: namespace and name, which contain no NUL. */
export function identityKey(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}\u0000${obj.metadata.name}`;
}

/** The namespace and name an identityKey was made of. */
export function parseIdentityKey(key: string): { namespace: string; name: string } {
  const at = key.indexOf('\u0000');
  return { namespace: key.slice(0, at), name: key.slice(at + 1) };
}

/** True when both carry the same uid and resourceVersion (an unknown version never matches). */
export function isSameVersion(a: KubeObject, b: KubeObject): boolean {
  const rv = a.metadata.resourceVersion;
  return rv !== undefined && rv === b.metadata.resourceVersion && a.metadata.uid === b.metadata.uid;
}
