/**
 * A registry of named store backends (kplane's pattern): each backend brings its name, a
 * description, its own config keys and cross-checks (a StoreBackendConfig, which config
 * validation reads) and how it builds a store. One registry instance per controller: the
 * config validator asks it which backends exist, and the controller asks it to build a
 * store for each watched resource.
 */
import type { StoreBackendConfig } from '../config/store-backends.ts';
import type { WatchedResourceConfig } from '../config/types.ts';
import type { Fetcher, Store } from './types.ts';

/** What a backend needs to build a store for one watched resource. */
export interface StoreBuildContext {
  resource: WatchedResourceConfig;
  /**
   * Reads single objects of this resource from its source, when the source can (both the
   * Kubernetes and the files source can); backends that fetch on demand need it.
   */
  fetcher?: Fetcher;
}

/** A store backend: its config side (name, description, keys, checks) and its builder. */
export interface StoreBackend extends StoreBackendConfig {
  /** Builds the store of one validated watched resource. */
  build(context: StoreBuildContext): Store;
}

/** Backend names are unique within a registry; an unknown name lists the available ones. */
export class StoreRegistry {
  readonly #backends = new Map<string, StoreBackend>();

  /** Adds a backend; a name already taken is a programming error and throws. */
  register(backend: StoreBackend): this {
    if (this.#backends.has(backend.name)) {
      throw new Error(`store backend "${backend.name}" is already registered`);
    }
    this.#backends.set(backend.name, backend);
    return this;
  }

  /** The backend registered under `name`, or undefined. */
  get(name: string): StoreBackend | undefined {
    return this.#backends.get(name);
  }

  /** The registered names, in registration order. */
  names(): string[] {
    return [...this.#backends.keys()];
  }

  /** Every backend, in registration order: what config validation takes as `storeBackends`. */
  backends(): StoreBackend[] {
    return [...this.#backends.values()];
  }

  /**
   * Builds the store of a watched resource with the backend its config names; `extras`
   * hands the backend what the source offers (a fetcher).
   */
  build(resource: WatchedResourceConfig, extras: Omit<StoreBuildContext, 'resource'> = {}): Store {
    const backend = this.#backends.get(resource.store);
    if (!backend) {
      throw new Error(
        `watched resource "${resource.name}": unknown store "${resource.store}"; available: ${this.names().join(', ')}`,
      );
    }
    return backend.build({ ...extras, resource });
  }
}
