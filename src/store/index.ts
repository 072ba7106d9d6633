/**
 * The store stage: one watched resource's objects, filed under their index keys, in
 * memory (MemoryStore, `full`), as references with bodies fetched on demand (CachedStore,
 * `on-demand`), or in memory and published (PublishedStore, `published`). Its contract types
 * are in types.ts; the backends are built through a StoreRegistry (registry.ts).
 */
export * from './types.ts';
