/**
 * Shared connections: within one controller every shared-source unit with the same
 * connection settings (backend and its settings) reads through one connection. Each unit
 * acquires a handle; the connection opens with the first handle and closes when the last
 * one is closed. A unit kept on a reload keeps its handle, and so the connection.
 */
import type { KvBatch, KvWatchHandlers, Repository, Revision } from './types.ts';

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

/** A Repository over a shared one whose close() calls `release` (once) instead of closing it. */
export class RepositoryHandle implements Repository {
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
  /** Releases this handle (once). */
  async close(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    await release?.();
  }
}
