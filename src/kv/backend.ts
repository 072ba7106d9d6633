/**
 * The kv side of a shared-store backend: a name and how to open a Repository from the
 * backend's plain settings (`S`, what its config descriptor normalizes them to). The
 * controller pairs each with the config side of the same name (controller/shared-backends.ts).
 * A new backend is a folder here with a Repository that passes the contract test
 * (test/kv/repository-contract.ts) and one of these.
 */
import type { Logger } from '../log.ts';
import type { Repository } from './types.ts';

export interface KvBackend<S> {
  readonly name: string;
  /**
   * Opens a repository (connecting lazily: the first call connects); close() releases it.
   * Throws an Invalid KvError for settings it cannot use (an unreadable TLS or password file).
   */
  connect(settings: S, logger: Logger): Repository;
}
