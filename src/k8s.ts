/**
 * The shape of Kubernetes objects as informant sees them: plain JSON as the API server
 * (or a manifest file) delivers it. Every stage shares these types; nothing here has
 * behaviour beyond reading identity.
 */

/** Metadata every object carries; only `name` is guaranteed. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  /**
   * The configured name of the cluster the object came from, set by sources that watch
   * several clusters (`source.kubernetes.clusters`); absent for a single cluster.
   */
  cluster?: string;
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

/** Where one object lives: cluster (absent for a single cluster), namespace ("" when cluster-scoped) and name. */
export interface ObjectIdentity {
  readonly cluster?: string | undefined;
  readonly namespace: string;
  readonly name: string;
}

/**
 * The identity of an object inside one watched resource, as a string: "namespace/name",
 * "name" when cluster-scoped, prefixed with "cluster|" when the object has a
 * metadata.cluster (kcp's `cluster|namespace/name`). Two objects with the same identity
 * are the same object (possibly at different versions, or recreated with a new uid).
 */
export function objectId(obj: KubeObject): string {
  return formatIdentity(obj.metadata.cluster, obj.metadata.namespace ?? '', obj.metadata.name);
}

/** An identity rendered as objectId renders it. */
export function formatIdentity(cluster: string | undefined, namespace: string, name: string): string {
  const local = namespace === '' ? name : `${namespace}/${name}`;
  return cluster === undefined ? local : `${cluster}|${local}`;
}

/** "Kind cluster|namespace/name" for messages. */
export function describeObject(obj: KubeObject): string {
  return `${obj.kind ?? 'object'} ${objectId(obj)}`;
}

/**
 * Compares two objects by namespace, then name, then cluster (absent first): the order
 * every result is returned in. Without clusters this is namespace-then-name order.
 */
export function compareByNamespaceName(a: KubeObject, b: KubeObject): number {
  const an = a.metadata.namespace ?? '';
  const bn = b.metadata.namespace ?? '';
  if (an !== bn) return an < bn ? -1 : 1;
  const a1 = a.metadata.name;
  const b1 = b.metadata.name;
  if (a1 !== b1) return a1 < b1 ? -1 : 1;
  const ac = a.metadata.cluster;
  const bc = b.metadata.cluster;
  if (ac === bc) return 0;
  if (ac === undefined) return -1;
  if (bc === undefined) return 1;
  return ac < bc ? -1 : 1;
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
