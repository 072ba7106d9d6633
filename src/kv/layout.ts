/**
 * Where objects live in a shared repository:
 *
 *     /<prefix>/<group or core>/<resource>/<cluster>/[<namespace>/]<name>
 *
 * - The cluster comes after the resource, so one prefix watch
 *   (`/<prefix>/<group>/<resource>/`) covers a resource in every cluster, as kcp lays out
 *   its etcd; per-cluster reads and the publisher's reconcile use the longer prefix
 *   `/<prefix>/<group>/<resource>/<cluster>/`.
 * - No API version in the key: like Kubernetes' own storage there is one copy per
 *   group/resource, whatever version it was read at (the value keeps its apiVersion).
 * - Every segment is non-empty and contains no "/", and every prefix ends with "/", so
 *   namespace `default` never matches `default-2` and the namespace segment is the only
 *   optional one: a key has one segment after the cluster for a cluster-scoped object, two
 *   for a namespaced one (no guessing, unlike keys where optional segments shift).
 * - Bookkeeping keys live under `/<prefix>/-/`; "-" is never a group name.
 */
import { groupOf, pluralOf } from '../k8s-names.ts';
import { KvError } from './types.ts';

/** Where one object is stored. `namespace` is "" for cluster-scoped objects. */
export interface ObjectAddress {
  /** API group, "" for the core group (stored as `core`). */
  readonly group: string;
  /** Plural resource name, e.g. `ingresses`. */
  readonly resource: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
}

/** The key of the core API group: Kubernetes' own storage calls it so too. */
const CORE_GROUP = 'core';

/** Builds and parses the keys of one repository prefix. */
export class KeyLayout {
  /** The prefix with a leading and a trailing "/": `/informant/`. */
  readonly root: string;

  /** `prefix`: one or more segments, e.g. `informant` or `/prod/informant/`. */
  constructor(prefix: string) {
    const segments = prefix.split('/').filter((segment) => segment !== '');
    if (segments.length === 0) throw new KvError('Invalid', `key prefix "${prefix}" has no segment`);
    this.root = `/${segments.join('/')}/`;
  }

  /** The prefix of one resource in every cluster. */
  resourcePrefix(group: string, resource: string): string {
    return `${this.root}${segment(group === '' ? CORE_GROUP : group, 'group')}/${segment(resource, 'resource')}/`;
  }

  /** The prefix of one resource in one cluster. */
  clusterPrefix(group: string, resource: string, cluster: string): string {
    return `${this.resourcePrefix(group, resource)}${segment(cluster, 'cluster')}/`;
  }

  /** The key of one object. */
  keyOf(address: ObjectAddress): string {
    const base = this.clusterPrefix(address.group, address.resource, address.cluster);
    const ns = address.namespace === '' ? '' : `${segment(address.namespace, 'namespace')}/`;
    return `${base}${ns}${segment(address.name, 'name')}`;
  }

  /** The address a key names, or undefined for a key outside this layout. */
  parse(key: string): ObjectAddress | undefined {
    if (!key.startsWith(this.root)) return undefined;
    const parts = key.slice(this.root.length).split('/');
    if (parts.length < 4 || parts.length > 5 || parts.some((part) => part === '')) return undefined;
    const [group, resource, cluster] = parts as [string, string, string];
    if (group === '-') return undefined;
    const namespaced = parts.length === 5;
    return {
      group: group === CORE_GROUP ? '' : group,
      resource,
      cluster,
      namespace: namespaced ? parts[3]! : '',
      name: namespaced ? parts[4]! : parts[3]!,
    };
  }

  /** The key a cluster's publisher fences its writes with (see the publisher). */
  publisherKey(cluster: string): string {
    return `${this.root}-/publishers/${segment(cluster, 'cluster')}`;
  }
}

/** `value` when it can be a key segment; an Invalid KvError naming `what` otherwise. */
function segment(value: string, what: string): string {
  if (value === '' || value.includes('/')) {
    throw new KvError('Invalid', `${what} "${value}" cannot be a key segment (empty, or contains "/")`);
  }
  return value;
}

/**
 * The group and plural resource a watched resource is stored under: an explicit
 * `resource` wins, otherwise the plural of its kind (pluralOfKind in k8s-names.ts: Ingress
 * → ingresses, NetworkPolicy → networkpolicies, Endpoints → endpoints). Publishers and
 * subscribers both use this, so they agree without asking an API server.
 */
export function storageResourceOf(config: { apiVersion: string; kind?: string; resource?: string }): {
  group: string;
  resource: string;
} {
  const resource = pluralOf(config);
  if (resource === undefined) throw new KvError('Invalid', `apiVersion ${config.apiVersion}: neither kind nor resource is set`);
  return { group: groupOf(config.apiVersion), resource };
}
