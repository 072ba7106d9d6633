/**
 * The shape of Kubernetes objects as informant sees them: plain JSON as the API server
 * (or a manifest file) delivers it. Every stage shares these types; nothing here has
 * behaviour beyond reading identity.
 */

/** Metadata every object carries; only `name` is guaranteed. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

/** A Kubernetes object as raw JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/**
 * The identity of an object inside one watched resource: namespace and name. Two objects
 * with the same identity are the same object (possibly at different versions, or
 * recreated with a new uid).
 */
export function objectId(obj: KubeObject): string {
  const ns = obj.metadata.namespace ?? '';
  return ns === '' ? obj.metadata.name : `${ns}/${obj.metadata.name}`;
}

/** "namespace/name" or "name" for messages. */
export function describeObject(obj: KubeObject): string {
  return `${obj.kind ?? 'object'} ${objectId(obj)}`;
}

/** Compares two objects by namespace then name: the order every result is returned in. */
export function compareByNamespaceName(a: KubeObject, b: KubeObject): number {
  const an = a.metadata.namespace ?? '';
  const bn = b.metadata.namespace ?? '';
  if (an !== bn) return an < bn ? -1 : 1;
  const a1 = a.metadata.name;
  const b1 = b.metadata.name;
  return a1 < b1 ? -1 : a1 > b1 ? 1 : 0;
}

/** True when `value` looks like a Kubernetes object (an object with metadata.name). */
export function isKubeObject(value: unknown): value is KubeObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const meta = (value as { metadata?: unknown }).metadata;
  return (
    meta !== null &&
    typeof meta === 'object' &&
    typeof (meta as { name?: unknown }).name === 'string'
  );
}
