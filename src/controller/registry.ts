/**
 * Where the store stage and the config meet. A backend a controller offers is the store
 * stage's builder (a name and a build taking plain StoreOptions) paired, by name, with the
 * config stage's descriptor of the same backend (its keys and cross-checks, which config
 * validation reads); and the StoreOptions of a watched resource are read off its config here.
 */
import { CONFIG_DEFAULTS, parseDuration } from '../config/index.ts';
import {
  ETCD_STORE_ALIAS_CONFIG,
  FULL_STORE_CONFIG,
  ON_DEMAND_STORE_CONFIG,
  PUBLISHED_STORE_CONFIG,
  type StoreBackendConfig,
} from '../config/store-backends.ts';
import type { WatchedResourceConfig } from '../config/types.ts';
import { onDemandStoreBackend } from '../store/cached-store.ts';
import type { Fetcher, Store } from '../store/index.ts';
import { fullStoreBackend } from '../store/memory-store.ts';
import { publishedStoreBackend } from '../store/published-store.ts';
import { StoreRegistry, type StoreBackend, type StoreOptions } from '../store/registry.ts';

/**
 * A store backend with its config descriptor: what the controller's registry holds, so one
 * registry answers both "which backends and keys does config accept" (`backends()`, config
 * validation's `storeBackends`) and "build this resource's store".
 */
export type ConfiguredStoreBackend = StoreBackend & StoreBackendConfig;

/** `store` with the config descriptor `config` of the same name. */
export function withConfig(config: StoreBackendConfig, store: StoreBackend): ConfiguredStoreBackend {
  if (config.name !== store.name) throw new Error(`store backend "${store.name}" cannot take the config of "${config.name}"`);
  return Object.freeze({ ...config, build: store.build });
}

/**
 * The backends every controller has: `full` (MemoryStore), `on-demand` (CachedStore) and
 * `published` (PublishedStore: full, and published by the publisher), with `etcd`, its
 * former name (config normalizes it to `published`).
 */
export function createDefaultRegistry(): StoreRegistry<ConfiguredStoreBackend> {
  return new StoreRegistry<ConfiguredStoreBackend>()
    .register(withConfig(FULL_STORE_CONFIG, fullStoreBackend))
    .register(withConfig(ON_DEMAND_STORE_CONFIG, onDemandStoreBackend))
    .register(withConfig(PUBLISHED_STORE_CONFIG, publishedStoreBackend))
    .register(withConfig(ETCD_STORE_ALIAS_CONFIG, { ...publishedStoreBackend, name: 'etcd' }));
}

/**
 * The StoreOptions of `resource`: its name, its index_by length and its cache settings
 * (config fills those in for on-demand resources; the config defaults otherwise).
 */
export function storeOptionsOf(resource: WatchedResourceConfig, fetcher?: Fetcher): StoreOptions {
  return {
    name: resource.name,
    keyCount: resource.indexBy.length,
    cacheTtlMs: resource.cacheTtlMs ?? parseDuration(CONFIG_DEFAULTS.cacheTtl)!,
    maxCacheSize: resource.maxCacheSize ?? CONFIG_DEFAULTS.maxCacheSize,
    ...(fetcher ? { fetcher } : {}),
  };
}

/** Builds the store of a watched resource with the backend its config names (`store:`). */
export function buildStore(registry: StoreRegistry, resource: WatchedResourceConfig, fetcher?: Fetcher): Store {
  return registry.build(resource.store, storeOptionsOf(resource, fetcher));
}
