/**
 * Where the kv stage and the config meet for shared stores. A shared-store backend a
 * controller offers is the kv stage's connector (a name and a connect taking plain
 * settings) paired, by name, with the config stage's descriptor of the same backend (its
 * settings, checks and flags). Adding a backend: a folder in src/kv/ (its Repository and
 * KvBackend), a descriptor in src/config/shared/ (and in BUILTIN_SHARED_CONFIGS), and one
 * `register` line below.
 */
import { ETCD_BACKEND_CONFIG, MEMORY_BACKEND_CONFIG, POSTGRES_BACKEND_CONFIG, type SharedBackendConfig } from '../config/index.ts';
import type { SharedStoreConfig } from '../config/types.ts';
import type { KvBackend } from '../kv/backend.ts';
import { etcdKvBackend } from '../kv/etcd/index.ts';
import type { Repository } from '../kv/index.ts';
import { memoryKvBackend } from '../kv/memory/index.ts';
import { postgresKvBackend } from '../kv/postgres/index.ts';
import type { Logger } from '../log.ts';
import { NamedRegistry } from '../registry.ts';

/** A shared-store backend with its config descriptor: what config validation reads and what connects. */
export type ConfiguredSharedBackend = SharedBackendConfig & KvBackend<Readonly<Record<string, unknown>>>;

/** The registry of shared-store backends a controller (and the command line) offers. */
export type SharedBackendRegistry = NamedRegistry<ConfiguredSharedBackend>;

/**
 * `kv` with the config descriptor `config` of the same name. Both agree on the settings
 * type `S` (the compiler checks it here); a SharedStoreConfig's settings are always what
 * this very descriptor normalized, so handing them to `kv` is sound.
 */
export function withConnector<S>(config: SharedBackendConfig<S>, kv: KvBackend<S>): ConfiguredSharedBackend {
  if (config.name !== kv.name) throw new Error(`shared store backend "${kv.name}" cannot take the config of "${config.name}"`);
  const connect: ConfiguredSharedBackend['connect'] = (settings, logger) => kv.connect(settings as S, logger);
  return Object.freeze({ ...(config as SharedBackendConfig), connect });
}

/** The backends every controller has: etcd, postgres and memory (its repositories shared within this registry). */
export function createSharedBackends(): SharedBackendRegistry {
  return new NamedRegistry<ConfiguredSharedBackend>('shared store backend')
    .register(withConnector(ETCD_BACKEND_CONFIG, etcdKvBackend))
    .register(withConnector(POSTGRES_BACKEND_CONFIG, postgresKvBackend))
    .register(withConnector(MEMORY_BACKEND_CONFIG, memoryKvBackend()));
}

/** Opens the repository `config` names (its backend, with its settings). */
export function openRepository(registry: SharedBackendRegistry, config: SharedStoreConfig, logger: Logger): Repository {
  return registry.require(config.backend).connect(config.settings, logger);
}

/** What tells two connections apart: the backend and its settings (not the key prefix). */
export function connectionKey(config: SharedStoreConfig): string {
  return JSON.stringify({ backend: config.backend, settings: config.settings });
}
