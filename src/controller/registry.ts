import { fullStoreBackend } from '../store/memory-store.ts';
import { StoreRegistry } from '../store/registry.ts';

/** The backends every controller has: `full` (MemoryStore). */
export function createDefaultRegistry(): StoreRegistry {
  return new StoreRegistry().register(fullStoreBackend);
}
