import { onDemandStoreBackend } from '../store/cached-store.ts';
import { fullStoreBackend } from '../store/memory-store.ts';
import { etcdStoreBackend } from '../store/published-store.ts';
import { StoreRegistry } from '../store/registry.ts';

/**
 * The backends every controller has: `full` (MemoryStore), `on-demand` (CachedStore) and
 * `etcd` (PublishedStore: full, and published by the publisher).
 */
export function createDefaultRegistry(): StoreRegistry {
  return new StoreRegistry().register(fullStoreBackend).register(onDemandStoreBackend).register(etcdStoreBackend);
}
