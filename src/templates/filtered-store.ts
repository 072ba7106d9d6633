/**
 * A read-only store that shows only some objects of another: what `InCluster(name)` reads,
 * and what a render reads once it has left objects out (see isolation/).
 */
import type { KubeObject } from '../k8s.ts';
import { isOnDemandStore, StoreError, type OnDemandStore, type Store } from '../store/index.ts';

/**
 * A read-only store over `store` that holds only the objects `keep` accepts: get and list
 * filter the underlying results (same order, frozen; list is filtered once per modCount);
 * an on-demand store's bodies are read and fetched through the underlying store. `keep`
 * sees what the store holds (references, for an on-demand store), and must give the same
 * answer for an object every time. Mutations throw a StoreError naming `through`: templates
 * never write.
 */
export function filterStore(store: Store, keep: (obj: KubeObject) => boolean, through: string): Store {
  const only = (objects: readonly KubeObject[]): readonly KubeObject[] => Object.freeze(objects.filter(keep));
  let listed: { modCount: number; objects: readonly KubeObject[] } | undefined;
  const readOnly = (operation: 'add' | 'update' | 'delete' | 'replace' | 'clear') => (): never => {
    throw new StoreError(`store "${store.name}": ${operation} through ${through} is not allowed`, { store: store.name, operation });
  };
  const filtered: Store = {
    name: store.name,
    keyCount: store.keyCount,
    get modCount() {
      return store.modCount;
    },
    get: (...keys) => only(store.get(...keys)),
    list: () => {
      if (listed === undefined || listed.modCount !== store.modCount) listed = { modCount: store.modCount, objects: only(store.list()) };
      return listed.objects;
    },
    size: () => filtered.list().length,
    add: readOnly('add'),
    update: readOnly('update'),
    delete: readOnly('delete'),
    replace: readOnly('replace'),
    clear: readOnly('clear'),
  };
  if (!isOnDemandStore(store)) return filtered;
  const onDemand: OnDemandStore = Object.assign(filtered, {
    cached: (ref: KubeObject) => store.cached(ref),
    fetch: (ref: KubeObject) => store.fetch(ref),
    noteFullRead: () => store.noteFullRead(),
    stats: () => store.stats(),
  });
  return onDemand;
}
