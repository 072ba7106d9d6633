/**
 * Shared connections: within one controller every shared-source unit with the same
 * connection settings (backend and its settings) reads through one connection. Each unit
 * acquires a handle; the connection opens with the first handle and closes when the last
 * one is closed. A unit kept on a reload keeps its handle, and so the connection.
 */
import { KvError, type KvBatch, type KvWatch, type KvWatchHandlers, type Repository, type Revision } from './types.ts';

/** One open connection and how many handles hold it. */
interface Shared {
  readonly repository: Repository;
  handles: number;
}

/** Reference-counted connections by a key of their settings; see the module comment. */
export class SharedConnections {
  readonly #open = new Map<string, Shared>();

  /**
   * A handle on the connection `key` names, opened with `open` now when none is open.
   * Closing the handle releases it (once); the connection closes with its last handle.
   * Throws what `open` throws (an Invalid KvError for an unreadable TLS or password file).
   */
  acquire(key: string, open: () => Repository): Repository {
    let shared = this.#open.get(key);
    if (shared === undefined) {
      shared = { repository: open(), handles: 0 };
      this.#open.set(key, shared);
    }
    shared.handles++;
    const opened = shared;
    return new RepositoryHandle(opened.repository, () => this.#release(key, opened));
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

/**
 * A Repository over a shared one whose close() calls `release` (once) instead of closing
 * the connection: it closes the watches opened through this handle, and every later call
 * rejects as a closed repository's would (Unavailable), while other handles of the
 * connection go on.
 */
export class RepositoryHandle implements Repository {
  readonly #inner: Repository;
  readonly #watches = new Set<KvWatch>();
  #release: (() => Promise<void>) | undefined;

  constructor(inner: Repository, release: () => Promise<void>) {
    this.#inner = inner;
    this.#release = release;
  }

  async get(key: string) {
    return this.#open().get(key);
  }
  async list(prefix: string) {
    return this.#open().list(prefix);
  }
  async create(key: string, value: string) {
    return this.#open().create(key, value);
  }
  async update(key: string, value: string, options?: { expectedRevision?: Revision }) {
    return this.#open().update(key, value, options);
  }
  async delete(key: string, options?: { expectedRevision?: Revision }) {
    return this.#open().delete(key, options);
  }
  async commit(batch: KvBatch) {
    return this.#open().commit(batch);
  }
  async watch(prefix: string, afterRevision: Revision, handlers: KvWatchHandlers): Promise<KvWatch> {
    const watch = await this.#open().watch(prefix, afterRevision, handlers);
    if (this.#release === undefined) {
      // The handle was closed while the watch was being established.
      await watch.close();
      throw closedError();
    }
    const tracked: KvWatch = {
      close: async () => {
        this.#watches.delete(tracked);
        await watch.close();
      },
    };
    this.#watches.add(tracked);
    return tracked;
  }
  /** Closes this handle's watches and releases the handle (once); the last handle closes the connection. */
  async close(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    await Promise.all([...this.#watches].map((watch) => watch.close()));
    await release?.();
  }

  /** The connection, while this handle is open; a closed handle's calls reject. */
  #open(): Repository {
    if (this.#release === undefined) throw closedError();
    return this.#inner;
  }
}

function closedError(): KvError {
  return new KvError('Unavailable', 'the repository is closed');
}
