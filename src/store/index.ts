/**
 * The store stage: one watched resource's objects, filed under their index keys, in
 * memory (MemoryStore, `full`), as references with bodies fetched on demand (CachedStore,
 * `on-demand`), or in memory and published (PublishedStore, `etcd`). Its contract types
 * are in types.ts; the backends are built through a StoreRegistry (registry.ts).
 */
export {
  FetchError,
  isOnDemandStore,
  StoreError,
  type CachedBody,
  type Fetcher,
  type FetchOutcome,
  type IndexKey,
  type OnDemandReader,
  type OnDemandReads,
  type OnDemandStats,
  type OnDemandStore,
  type Store,
  type StoreOperation,
  type StoreReader,
} from './types.ts';
