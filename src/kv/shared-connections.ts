/**
 * Shared etcd connections: within one controller every etcd source unit with the same
 * connection settings (endpoints, dial timeout, TLS, auth) reads through one connection.
 * Each unit acquires a handle; the connection opens with the first handle and closes when
 * the last one is closed. A unit kept on a reload keeps its handle, and so the connection.
 */
import type { Logger } from '../log.ts';
import type { EtcdConnectionConfig } from '../config/types.ts';
import { connectEtcd } from './etcd/repository.ts';
import type { KvBatch, KvWatchHandlers, Repository, Revision } from './types.ts';

/** Opens one connection (production: connectEtcd). */
export type ConnectRepository = (config: EtcdConnectionConfig, logger: Logger) => Repository;

/** One open connection and how many handles hold it. */
interface Shared {
  readonly repository: Repository;
  handles: number;
}

/** Reference-counted connections by connection settings; see the module comment. */
export class SharedConnections {
  readonly #connect: ConnectRepository;
  readonly #open = new Map<string, Shared>();

  constructor(connect: ConnectRepository = (config, logger) => connectEtcd(config, logger)) {
    this.#connect = connect;
  }

  /**
   * A handle on the connection for `config`, opened now when none is open. Closing the
   * handle releases it (once); the connection closes with its last handle. Throws what
   * connecting throws (an Invalid KvError for an unreadable TLS or password file).
   */
  acquire(config: EtcdConnectionConfig, logger: Logger): Repository {
    const key = connectionKey(config);
    let shared = this.#open.get(key);
    if (shared === undefined) {
      shared = { repository: this.#connect(config, logger), handles: 0 };
      this.#open.set(key, shared);
    }
    shared.handles++;
    const opened = shared;
    return new ConnectionHandle(opened.repository, () => this.#release(key, opened));
  }

  /** How many connections are open (for tests and debugging). */
  get size(): number {
    return this.#open.size;
  }

  async #release(key: string, shared: Shared): Promise<void> {
    shared.handles--;
    if (shared.handles > 0) return;
    if (this.#open.get(key) === shared) this.#open.delete(key);
    await shared.repository.close();
  }
}

/** What tells two connections apart: everything but the key prefix. */
function connectionKey(config: EtcdConnectionConfig): string {
  const { endpoints, dialTimeoutMs, tls, auth } = config;
  return JSON.stringify({ endpoints, dialTimeoutMs, tls: tls ?? null, auth: auth ?? null });
}

/** A Repository over a shared connection whose close() releases the handle instead of closing it. */
class ConnectionHandle implements Repository {
  readonly #inner: Repository;
  #release: (() => Promise<void>) | undefined;

  constructor(inner: Repository, release: () => Promise<void>) {
    this.#inner = inner;
    this.#release = release;
  }

  get(key: string) {
    return this.#inner.get(key);
  }
  list(prefix: string) {
    return this.#inner.list(prefix);
  }
  create(key: string, value: string) {
    return this.#inner.create(key, value);
  }
  update(key: string, value: string, options?: { expectedRevision?: Revision }) {
    return this.#inner.update(key, value, options);
  }
  delete(key: string, options?: { expectedRevision?: Revision }) {
    return this.#inner.delete(key, options);
  }
  commit(batch: KvBatch) {
    return this.#inner.commit(batch);
  }
  watch(prefix: string, afterRevision: Revision, handlers: KvWatchHandlers) {
    return this.#inner.watch(prefix, afterRevision, handlers);
  }
  /** Releases this handle (once); the last handle closes the connection. */
  async close(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    await release?.();
  }
}
