/**
 * The config stage: config.yaml → validated, normalized Config (see types.ts), or a
 * ConfigError listing every problem with file:line:col and key path.
 */
export type * from './types.ts';
export { ConfigError, formatProblem, type ConfigProblem } from './errors.ts';
export { loadConfig, parseConfig, INLINE_FILE, type ConfigOptions } from './load.ts';
export { inspectConfig, type ConfigInspection } from './inspect.ts';
export { configSchema, buildConfigSchema, type RawConfig, type SchemaOptions } from './schema.ts';
export { configJsonSchema, configJsonSchemaText } from './json-schema.ts';
export { DEFAULTS as CONFIG_DEFAULTS, DEFAULT_LIMITS } from './defaults.ts';
export {
  BUILTIN_STORE_CONFIGS,
  ETCD_STORE_ALIAS_CONFIG,
  FULL_STORE_CONFIG,
  ON_DEMAND_STORE_CONFIG,
  PUBLISHED_STORE_CONFIG,
  type StoreBackendConfig,
  type StoreConfigProblem,
  type StoreConfigResource,
} from './store-backends.ts';
export { parseDuration } from './duration.ts';
export {
  BUILTIN_SHARED_CONFIGS,
  ETCD_BACKEND_CONFIG,
  MEMORY_BACKEND_CONFIG,
  POSTGRES_BACKEND_CONFIG,
  defineSharedBackend,
  type SharedBackendConfig,
  type SharedBackendFlag,
} from './shared/index.ts';
export type { SharedFlagValues } from './shared/flags.ts';
export { formatByteSize, parseByteSize } from './byte-size.ts';
export { configNotes } from './notes.ts';
