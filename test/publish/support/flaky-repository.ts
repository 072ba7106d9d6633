/**
 * A Repository in front of another that a test can take down: while down, every call
 * rejects with an Unavailable KvError, as an unreachable etcd does. It also counts the
 * batches that reached the repository behind it.
 */
import { KvError, type KvBatch, type KvWatchHandlers, type Repository, type Revision } from '../../../src/kv/index.ts';

export class FlakyRepository implements Repository {
  readonly #inner: Repository;
  down = false;
  /** Every batch committed through this repository, in order. */
  readonly commits: KvBatch[] = [];
  /** Called before each call; a test can take the repository down from here. */
  beforeCall: ((what: string) => void) | undefined;

  constructor(inner: Repository) {
    this.#inner = inner;
  }

  #check(what: string): void {
    this.beforeCall?.(what);
    if (this.down) throw new KvError('Unavailable', `etcd is unreachable (${what})`);
  }

  async get(key: string) {
    this.#check('get');
    return this.#inner.get(key);
  }
  async list(prefix: string) {
    this.#check('list');
    return this.#inner.list(prefix);
  }
  async create(key: string, value: string) {
    this.#check('create');
    return this.#inner.create(key, value);
  }
  async update(key: string, value: string, options?: { expectedRevision?: Revision }) {
    this.#check('update');
    return this.#inner.update(key, value, options);
  }
  async delete(key: string, options?: { expectedRevision?: Revision }) {
    this.#check('delete');
    return this.#inner.delete(key, options);
  }
  async commit(batch: KvBatch) {
    this.#check('commit');
    const revision = await this.#inner.commit(batch);
    this.commits.push(batch);
    return revision;
  }
  async watch(prefix: string, afterRevision: Revision, handlers: KvWatchHandlers) {
    this.#check('watch');
    return this.#inner.watch(prefix, afterRevision, handlers);
  }
  /** Closing a client does not close the shared repository behind it. */
  async close(): Promise<void> {}
}
