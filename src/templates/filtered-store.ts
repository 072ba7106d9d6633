/**
 * A reader that shows only some objects of a store: what `InCluster(name)` reads, and what
 * a render reads once it has left objects out (see isolation/).
 */
import type { KubeObject } from '../k8s.ts';
import { isOnDemandStore, type OnDemandReader, type OnDemandReads, type StoreReader } from '../store/index.ts';

type Keep = (obj: KubeObject) => boolean;
type List = () => readonly KubeObject[];

/**
 * A reader over `store` that sees only the objects `keep` accepts: get and list filter the
 * underlying results (same order, frozen; list is filtered once per modCount). Over an
 * on-demand store it reads on demand too: bodies are read and fetched through the
 * underlying store. `keep` sees what the store holds (references, for an on-demand store),
 * and must give the same answer for an object every time. `list`, when given, answers
 * list() instead of filtering (a caller that keeps the kept objects already).
 */
export function filterStore(store: OnDemandReader, keep: Keep, list?: List): OnDemandReader;
export function filterStore(store: StoreReader, keep: Keep, list?: List): StoreReader;
export function filterStore(store: StoreReader, keep: Keep, list?: List): StoreReader {
  const only = (objects: readonly KubeObject[]): readonly KubeObject[] => Object.freeze(objects.filter(keep));
  let listed: { modCount: number; objects: readonly KubeObject[] } | undefined;
  const filtered: StoreReader = {
    name: store.name,
    keyCount: store.keyCount,
    get modCount() {
      return store.modCount;
    },
    get: (...keys) => only(store.get(...keys)),
    list: list ?? (() => {
      if (listed === undefined || listed.modCount !== store.modCount) listed = { modCount: store.modCount, objects: only(store.list()) };
      return listed.objects;
    }),
    size: () => filtered.list().length,
  };
  if (!isOnDemandStore(store)) return filtered;
  const reads: OnDemandReads = {
    cached: (ref) => store.cached(ref),
    fetch: (ref) => store.fetch(ref),
    noteFullRead: () => store.noteFullRead(),
    stats: () => store.stats(),
  };
  return Object.assign(filtered, reads);
}
