/**
 * What config validation knows about a store backend: its name, the keys a watched
 * resource may set only with it (its own schema), the cross-checks it needs against the
 * rest of the config, and how its keys become WatchedResourceConfig fields. The controller
 * pairs each with the store stage's builder of the same name (controller/registry.ts); the
 * built-in ones are defined here so the config schema (and docs/config.schema.json) knows
 * them without a registry.
 */
import { z } from 'zod';
import { DEFAULTS } from './defaults.ts';
import { durationField, parseDuration } from './duration.ts';
import { positiveInt } from './fields.ts';
import type { WatchedResourceConfig } from './types.ts';

/** A problem a backend finds in the config; `path` is from the config's root. */
export interface StoreConfigProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** Point at the key (default) or at its value. */
  readonly at?: 'key' | 'value';
}

/** A watched resource as a backend's cross-check sees it: its name and its keys as written (validated or not). */
export interface StoreConfigResource {
  readonly name: string;
  readonly raw: Readonly<Record<string, unknown>>;
}

/** The config side of a store backend. */
export interface StoreBackendConfig {
  /** The name used in config (`store: <name>`). */
  readonly name: string;
  /** One sentence for docs and errors. */
  readonly description: string;
  /** The keys a watched resource may set only with this backend (snake_case, each optional). */
  readonly options: Readonly<Record<string, z.ZodType>>;
  /** Cross-checks against the whole config (as written); runs for every resource using this backend. */
  validate?(resource: StoreConfigResource, config: Readonly<Record<string, unknown>>): StoreConfigProblem[];
  /** The WatchedResourceConfig fields this backend's validated keys (and defaults) become. */
  normalize?(raw: Readonly<Record<string, unknown>>): Partial<WatchedResourceConfig>;
  /** This name is a former spelling of the backend named here: the config normalizes to that name. */
  readonly aliasOf?: string;
}

/** `full`: every object in memory (MemoryStore); no settings of its own. */
export const FULL_STORE_CONFIG: StoreBackendConfig = Object.freeze<StoreBackendConfig>({
  name: 'full',
  description: 'Keeps every (field-stripped) object in memory.',
  options: {},
});

/** `on-demand`: references only, objects fetched when a template asks and cached. */
export const ON_DEMAND_STORE_CONFIG: StoreBackendConfig = Object.freeze<StoreBackendConfig>({
  name: 'on-demand',
  description: 'Keeps references only and fetches objects when a template asks, through an LRU cache.',
  options: {
    cache_ttl: durationField(`on-demand only: how long a fetched object stays cached; default ${DEFAULTS.cacheTtl}`, {
      positive: true,
    }).optional(),
    max_cache_size: positiveInt(`on-demand only: how many fetched objects are cached at most; default ${DEFAULTS.maxCacheSize}`).optional(),
  },
  normalize: (raw) => ({
    cacheTtlMs: (raw['cache_ttl'] as number | undefined) ?? (parseDuration(DEFAULTS.cacheTtl) as number),
    maxCacheSize: (raw['max_cache_size'] as number | undefined) ?? DEFAULTS.maxCacheSize,
  }),
});

/** `published`: a full store whose contents are also published into the shared store (publish). */
export const PUBLISHED_STORE_CONFIG: StoreBackendConfig = Object.freeze<StoreBackendConfig>({
  name: 'published',
  description: 'Keeps every object in memory like full, and publishes them into the shared store (publish) for renderers with source.shared.',
  options: {},
  validate: (resource, config) => {
    const at = ['watched_resources', resource.name, 'store'];
    const store = String(resource.raw['store']);
    const problems: StoreConfigProblem[] = [];
    if (fieldOf(config, 'publish') === undefined) {
      problems.push({ path: at, message: `store: ${store} publishes this resource, so it needs publish (the backend to publish to and the cluster name)` });
    }
    if (fieldOf(fieldOf(config, 'source'), 'shared') !== undefined) {
      problems.push({ path: at, message: `store: ${store} cannot be used with source.shared (it would publish what it reads from the shared store); use store: full` });
    }
    return problems;
  },
});

/** `etcd`: the former name of `published`, from when etcd was the only shared store; still accepted. */
export const ETCD_STORE_ALIAS_CONFIG: StoreBackendConfig = Object.freeze<StoreBackendConfig>({
  ...PUBLISHED_STORE_CONFIG,
  name: 'etcd',
  description: 'The former name of published (whatever the publish backend), still accepted.',
  aliasOf: 'published',
});

/** The backends every registry starts with, in their registration order. */
export const BUILTIN_STORE_CONFIGS: readonly StoreBackendConfig[] = Object.freeze([
  FULL_STORE_CONFIG,
  ON_DEMAND_STORE_CONFIG,
  PUBLISHED_STORE_CONFIG,
  ETCD_STORE_ALIAS_CONFIG,
]);

/** The name `name` stands for: the backend it is an alias of, or itself. */
export function canonicalStoreName(name: string, backends: readonly StoreBackendConfig[]): string {
  return backends.find((backend) => backend.name === name)?.aliasOf ?? name;
}

/** The value at `key` of a mapping, or undefined (for anything that is not a mapping too). */
export function fieldOf(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return (value as Record<string, unknown>)[key];
}

/** Config descriptors for these names: the built-in one where there is one, a bare one (no keys) otherwise. */
export function storeConfigsFor(names: readonly string[]): StoreBackendConfig[] {
  return names.map(
    (name) => BUILTIN_STORE_CONFIGS.find((backend) => backend.name === name) ?? { name, description: `The ${name} store backend.`, options: {} },
  );
}
