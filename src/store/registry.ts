/**
 * A registry of named store backends (kplane's pattern): each backend is a name and a
 * builder that takes plain StoreOptions. One registry instance per controller: the
 * controller asks it to build a store for each watched resource. The store stage knows
 * nothing of the config: a backend's config keys and cross-checks are declared by the
 * config stage (config/store-backends.ts), paired with the builder by name where the
 * controller's registry is made (controller/registry.ts).
 */
import { NamedRegistry } from '../registry.ts';
import type { Fetcher, Store } from './types.ts';

/** What a backend builds the store of one watched resource from. */
export interface StoreOptions {
  /** The watched resource the store holds (for errors and metrics). */
  readonly name: string;
  /** How many index keys each object has (index_by length). */
  readonly keyCount: number;
  /** How long a fetched object stays cached, in ms (cache_ttl); for backends that fetch on demand. */
  readonly cacheTtlMs: number;
  /** How many fetched objects are cached at most (max_cache_size); for backends that fetch on demand. */
  readonly maxCacheSize: number;
  /**
   * Reads single objects of this resource from its source, when the source can (both the
   * Kubernetes and the files source can); backends that fetch on demand need it.
   */
  readonly fetcher?: Fetcher;
}

/** A store backend: the name config gives it (`store: <name>`) and how it builds a store. */
export interface StoreBackend {
  readonly name: string;
  /** Builds the store of one watched resource. */
  build(options: StoreOptions): Store;
}

/**
 * Backend names are unique within a registry; an unknown name lists the available ones.
 * `B` is what a registry keeps per backend: a StoreBackend, or one with more (the
 * controller's carry their config descriptors too).
 */
export class StoreRegistry<B extends StoreBackend = StoreBackend> extends NamedRegistry<B> {
  constructor() {
    super('store backend');
  }

  /** Builds the store `options` describe with the backend named `backend`. */
  build(backend: string, options: StoreOptions): Store {
    return this.require(backend, `watched resource "${options.name}"`).build(options);
  }
}
