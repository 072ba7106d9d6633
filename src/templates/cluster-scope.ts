/**
 * What `resources.x.InCluster(name)` reads: a store restricted to the objects of one
 * cluster (metadata.cluster), and the cluster names a store holds, for `Clusters()`.
 */
import type { KubeObject } from '../k8s.ts';
import { isOnDemandStore, StoreError, type OnDemandStore, type Store } from '../store/index.ts';

/**
 * A read-only store over `store` that holds only the objects whose metadata.cluster is
 * `cluster`: get and list filter the underlying results (same order, frozen); an
 * on-demand store's bodies are read and fetched through the underlying store. Mutations
 * throw a StoreError: templates never write.
 */
export function scopeToCluster(store: Store, cluster: string): Store {
  const keep = (objects: readonly KubeObject[]): readonly KubeObject[] =>
    Object.freeze(objects.filter((obj) => obj.metadata.cluster === cluster));
  let listed: { modCount: number; objects: readonly KubeObject[] } | undefined;
  const readOnly = (operation: 'add' | 'update' | 'delete' | 'replace' | 'clear') => (): never => {
    throw new StoreError(`store "${store.name}": ${operation} through InCluster("${cluster}") is not allowed`, {
      store: store.name,
      operation,
    });
  };
  const scoped: Store = {
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
    add: readOnly('add'),
    update: readOnly('update'),
    delete: readOnly('delete'),
    replace: readOnly('replace'),
    clear: readOnly('clear'),
  };
  if (!isOnDemandStore(store)) return scoped;
  const onDemand: OnDemandStore = Object.assign(scoped, {
    cached: (ref: KubeObject) => store.cached(ref),
    fetch: (ref: KubeObject) => store.fetch(ref),
    noteFullRead: () => store.noteFullRead(),
    stats: () => store.stats(),
  });
  return onDemand;
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
