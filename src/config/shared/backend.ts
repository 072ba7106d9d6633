/**
 * What config validation knows about a shared-store backend (etcd, postgres, memory): its
 * name, the keys of its settings mapping (`publish.<name>`, `source.shared.<name>`), their
 * cross-checks, its command-line flags, and how its validated settings become the plain
 * values the backend connects with. The controller pairs each with the kv stage's
 * connector of the same name (controller/shared-backends.ts); the built-in ones are
 * defined in this folder so the config schema (and docs/config.schema.json) knows them.
 */
import type { z } from 'zod';

/** A command-line flag that sets one key of a backend's settings (`informant run --postgres-url …`). */
export interface SharedBackendFlag {
  /** The flag without dashes, e.g. `postgres-url`. */
  readonly flag: string;
  /** The settings key it sets, e.g. `url`. */
  readonly key: string;
  /** How --help names its value, e.g. `<url>`. */
  readonly value: string;
  readonly description: string;
  /** The value as the config file would hold it (default: the text itself). */
  readonly parse?: (text: string) => unknown;
  /** The value is a file path: resolved against the working directory, not the config's folder. */
  readonly path?: boolean;
}

/** The config side of a shared-store backend; `S` is what its settings normalize to. */
export interface SharedBackendConfig<S = unknown> {
  /** The name used in config (`backend: <name>`) and as the key of its settings. */
  readonly name: string;
  /** One sentence for docs and errors. */
  readonly description: string;
  /** Its settings as a user would write them, for messages, e.g. `postgres: {url: postgres://…}`. */
  readonly example: string;
  /** The keys of its settings mapping (snake_case). */
  readonly settings: Readonly<Record<string, z.ZodType>>;
  /** Whether a settings mapping must be written (it has required keys). */
  readonly needsSettings: boolean;
  /** Cross-field checks of its settings mapping (a certificate needs its key, …). */
  check?(settings: Readonly<Record<string, unknown>>, ctx: z.RefinementCtx): void;
  readonly flags: readonly SharedBackendFlag[];
  /** The validated settings (defaults applied), paths resolved against `baseDir`. */
  normalize(raw: Readonly<Record<string, unknown>>, baseDir: string): S;
}

/** `config`, typed by what its normalize returns (so pairing it with a connector is checked). */
export function defineSharedBackend<S>(config: SharedBackendConfig<S>): SharedBackendConfig<S> {
  return Object.freeze(config);
}
