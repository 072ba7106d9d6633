/**
 * References (what an on-demand store keeps of an object instead of the object itself),
 * identity keys, and the version check every store uses to keep an unchanged object.
 */
import type { KubeObject, ObjectIdentity, ObjectMeta } from '../k8s.ts';

/**
 * A new object holding only `obj`'s identity and version: metadata.name, and
 * metadata.cluster, namespace, uid and resourceVersion when `obj` has them. Nothing of `obj` is
 * shared, so its body can be collected. A value without metadata is returned as it is,
 * for the store to reject with a StoreError.
 */
export function toReference(obj: KubeObject): KubeObject {
  const meta = (obj as { metadata?: ObjectMeta } | null)?.metadata;
  if (meta === null || typeof meta !== 'object') return obj;
  const metadata: ObjectMeta = { name: meta.name };
  if (meta.namespace !== undefined) metadata.namespace = meta.namespace;
  if (meta.cluster !== undefined) metadata.cluster = meta.cluster;
  if (meta.uid !== undefined) metadata.uid = meta.uid;
  if (meta.resourceVersion !== undefined) metadata.resourceVersion = meta.resourceVersion;
  return { metadata };
}

/**
 * The cache key of an object's identity: namespace and name, preceded by the cluster when
 * the object has one, joined by NUL (which none of them contains).
 */
export function identityKey(obj: KubeObject): string {
  const local = `${obj.metadata.namespace ?? ''}\u0000${obj.metadata.name}`;
  const cluster = obj.metadata.cluster;
  return cluster === undefined ? local : `${cluster}\u0000${local}`;
}

/** The identity an identityKey was made of. */
export function parseIdentityKey(key: string): ObjectIdentity {
  const parts = key.split('\u0000');
  if (parts.length === 2) return { namespace: parts[0]!, name: parts[1]! };
  return { cluster: parts[0]!, namespace: parts[1]!, name: parts[2]! };
}

/**
 * True when both are the same incarnation (uid) at the same, known resourceVersion (an
 * unknown version never matches): a store keeps what it holds instead of taking the other.
 */
export function isSameVersion(a: KubeObject, b: KubeObject): boolean {
  const rv = a.metadata.resourceVersion;
  return rv !== undefined && rv === b.metadata.resourceVersion && a.metadata.uid === b.metadata.uid;
}
