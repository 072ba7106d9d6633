import { onDemandStoreBackend } from '../store/cached-store.ts';
import { fullStoreBackend } from '../store/memory-store.ts';
import { StoreRegistry } from '../store/registry.ts';

/** The backends every controller has: `full` (MemoryStore) and `on-demand` (CachedStore). */
export function createDefaultRegistry(): StoreRegistry {
  return new StoreRegistry().register(fullStoreBackend).register(onDemandStoreBackend);
}
