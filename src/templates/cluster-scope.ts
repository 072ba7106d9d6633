/**
 * What `resources.x.InCluster(name)` reads: a store restricted to the objects of one
 * cluster (metadata.cluster), and the cluster names a store holds, for `Clusters()`.
 */
import type { KubeObject } from '../k8s.ts';
import type { OnDemandReader, StoreReader } from '../store/index.ts';
import { compareStrings } from '../text/compare-strings.ts';
import { filterStore } from './filtered-store.ts';

/**
 * A reader over `store` that sees only the objects whose metadata.cluster is `cluster`
 * (see filterStore: same order, frozen, bodies through the underlying store).
 */
export function scopeToCluster(store: OnDemandReader, cluster: string): OnDemandReader;
export function scopeToCluster(store: StoreReader, cluster: string): StoreReader;
export function scopeToCluster(store: StoreReader, cluster: string): StoreReader {
  return filterStore(store, (obj) => obj.metadata.cluster === cluster);
}

/** The distinct metadata.cluster values of `objects`, sorted; objects without one are left out. */
export function clusterNames(objects: readonly KubeObject[]): readonly string[] {
  const names = new Set<string>();
  for (const obj of objects) {
    const cluster = obj.metadata.cluster;
    if (typeof cluster === 'string') names.add(cluster);
  }
  return Object.freeze([...names].sort(compareStrings));
}
