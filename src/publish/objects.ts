/**
 * Where and how a published object is stored: its key by the KeyLayout (group and plural
 * resource of the watched resource, the object's cluster, namespace and name), and its
 * value, the stored object as JSON without `metadata.cluster` (the cluster lives in the
 * key only).
 */
import type { WatchedResourceConfig } from '../config/types.ts';
import type { KubeObject } from '../k8s.ts';
import { KvError } from '../kv/index.ts';
import { KeyLayout, storageResourceOf } from '../kv/layout.ts';
import type { PublishedStore } from '../store/published-store.ts';

/** One watched resource with store: published, as the publisher sees it. */
export interface PublishedResource {
  /** The watched resource's name (for logs and metrics). */
  readonly name: string;
  readonly store: PublishedStore;
  /** The API group ("" for core) and plural resource its keys use. */
  readonly group: string;
  readonly resource: string;
}

/** The PublishedResource of a watched resource and its store. */
export function publishedResource(config: WatchedResourceConfig, store: PublishedStore): PublishedResource {
  const { group, resource } = storageResourceOf(config);
  return { name: config.name, store, group, resource };
}

/** The cluster an object is published under: its own (multi-cluster sources set it), else the configured one. */
export function clusterOf(obj: KubeObject, defaultCluster: string): string {
  const cluster = obj.metadata['cluster'];
  return typeof cluster === 'string' && cluster !== '' ? cluster : defaultCluster;
}

/**
 * Throws when `obj` belongs to a cluster outside `owned` (the clusters a publisher claims):
 * its keys would be written without the fencing of their cluster's publisher key.
 */
export function assertOwnedCluster(obj: KubeObject, defaultCluster: string, owned: readonly string[]): void {
  const cluster = clusterOf(obj, defaultCluster);
  if (owned.includes(cluster)) return;
  throw new KvError(
    'Invalid',
    `cluster "${cluster}" is not published here (this publisher writes ${owned.map((c) => `"${c}"`).join(', ')}: publish.cluster, or the names of source.kubernetes.clusters)`,
  );
}

/** The key of `obj` of `resource`; throws a KvError (Invalid) for a name that cannot be a key segment. */
export function keyOfObject(layout: KeyLayout, resource: PublishedResource, obj: KubeObject, defaultCluster: string): string {
  return layout.keyOf({
    group: resource.group,
    resource: resource.resource,
    cluster: clusterOf(obj, defaultCluster),
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name,
  });
}

/** The stored value of `obj`: JSON without metadata.cluster (the object itself is not changed). */
export function valueOfObject(obj: KubeObject): string {
  if (!('cluster' in obj.metadata)) return JSON.stringify(obj);
  const { cluster: _cluster, ...metadata } = obj.metadata;
  return JSON.stringify({ ...obj, metadata });
}
