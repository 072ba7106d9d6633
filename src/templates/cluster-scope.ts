/**
 * What `resources.x.InCluster(name)` reads: a store restricted to the objects of one
 * cluster (metadata.cluster), and the cluster names a store holds, for `Clusters()`.
 */
import type { KubeObject } from '../k8s.ts';
import type { Store } from '../store/index.ts';
import { filterStore } from './filtered-store.ts';

/**
 * A read-only store over `store` that holds only the objects whose metadata.cluster is
 * `cluster` (see filterStore: same order, frozen, bodies through the underlying store,
 * mutations refused).
 */
export function scopeToCluster(store: Store, cluster: string): Store {
  return filterStore(store, (obj) => obj.metadata.cluster === cluster, `InCluster("${cluster}")`);
}

/** The distinct metadata.cluster values of `objects`, sorted; objects without one are left out. */
export function clusterNames(objects: readonly KubeObject[]): readonly string[] {
  const names = new Set<string>();
  for (const obj of objects) {
    const cluster = obj.metadata.cluster;
    if (typeof cluster === 'string') names.add(cluster);
  }
  return Object.freeze([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
}
