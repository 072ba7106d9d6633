/**
 * What `resources.x.InCluster(name)` reads: a store restricted to the objects of one
 * cluster (metadata.cluster), and the cluster names a store holds, for `Clusters()`.
 */
import type { KubeObject } from '../k8s.ts';
import { isOnDemandStore, type OnDemandReader, type OnDemandReads, type StoreReader } from '../store/index.ts';
import { compareStrings } from '../text/compare-strings.ts';

/**
 * A reader over `store` that sees only the objects whose metadata.cluster is `cluster`:
 * get and list filter the underlying results (same order, frozen). Over an on-demand
 * store it reads on demand too: bodies are read and fetched through the underlying store.
 */
export function scopeToCluster(store: OnDemandReader, cluster: string): OnDemandReader;
export function scopeToCluster(store: StoreReader, cluster: string): StoreReader;
export function scopeToCluster(store: StoreReader, cluster: string): StoreReader {
  const keep = (objects: readonly KubeObject[]): readonly KubeObject[] =>
    Object.freeze(objects.filter((obj) => obj.metadata.cluster === cluster));
  let listed: { modCount: number; objects: readonly KubeObject[] } | undefined;
  const scoped: StoreReader = {
    name: store.name,
    keyCount: store.keyCount,
    get modCount() {
      return store.modCount;
    },
    get: (...keys) => keep(store.get(...keys)),
    list: () => {
      if (listed === undefined || listed.modCount !== store.modCount) listed = { modCount: store.modCount, objects: keep(store.list()) };
      return listed.objects;
    },
    size: () => scoped.list().length,
  };
  if (!isOnDemandStore(store)) return scoped;
  const reads: OnDemandReads = {
    cached: (ref) => store.cached(ref),
    fetch: (ref) => store.fetch(ref),
    noteFullRead: () => store.noteFullRead(),
    stats: () => store.stats(),
  };
  return Object.assign(scoped, reads);
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
