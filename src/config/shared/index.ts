/**
 * Shared-store backends as config sees them (backend.ts): the built-in ones, in the order
 * `informant check-config` and `informant run --help` list them.
 */
import type { SharedBackendConfig } from './backend.ts';
import { ETCD_BACKEND_CONFIG } from './etcd.ts';
import { MEMORY_BACKEND_CONFIG } from './memory.ts';
import { POSTGRES_BACKEND_CONFIG } from './postgres.ts';

export { defineSharedBackend, type SharedBackendConfig, type SharedBackendFlag } from './backend.ts';
export { ETCD_BACKEND_CONFIG } from './etcd.ts';
export { MEMORY_BACKEND_CONFIG } from './memory.ts';
export { POSTGRES_BACKEND_CONFIG } from './postgres.ts';

/** The backends every config knows, in their registration order. */
export const BUILTIN_SHARED_CONFIGS: readonly SharedBackendConfig[] = Object.freeze([ETCD_BACKEND_CONFIG, POSTGRES_BACKEND_CONFIG, MEMORY_BACKEND_CONFIG]);
