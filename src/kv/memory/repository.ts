/**
 * An in-memory Repository with the semantics of etcd: one revision counter for the whole
 * repository, create and mod revisions per key, strict create/update/delete, atomic
 * batches with guards, prefix lists read at a revision, and watches that replay the
 * history kept since the last compaction. It is the reference the Repository contract
 * test holds every backend to, and a fake for unit tests of publishers and subscribers.
 */
import { validateBatch, validateKey, validateRequestSize } from '../batch.ts';
import {
  KvError,
  type KvBatch,
  type KvChange,
  type KvGuard,
  type KvListing,
  type KvOperation,
  type KvRecord,
  type KvWatch,
  type KvWatchHandlers,
  type Repository,
  type Revision,
} from '../types.ts';
import { MemoryWatch } from './watch.ts';

/** The changes one transaction made, at its revision. */
interface HistoryEntry {
  readonly revision: Revision;
  readonly changes: readonly KvChange[];
}

/** How a MemoryRepository behaves where engines differ. */
export interface MemoryRepositoryOptions {
  /**
   * Refuse a write whose keys and values (UTF-8) add up to more than this many bytes with
   * an Invalid KvError, as etcd refuses a request above `--max-request-bytes`. Default: no
   * limit.
   */
  readonly maxRequestBytes?: number;
}

/** A Repository held in process memory; see the module comment for its guarantees. */
export class MemoryRepository implements Repository {
  readonly #maxRequestBytes: number;
  #revision = 0n;
  #compacted = 0n;
  #closed = false;
  readonly #records = new Map<string, KvRecord>();
  #history: HistoryEntry[] = [];
  readonly #watches = new Set<MemoryWatch>();

  constructor(options: MemoryRepositoryOptions = {}) {
    this.#maxRequestBytes = options.maxRequestBytes ?? Infinity;
  }

  /** The revision of the last committed change (0n while nothing was ever written). */
  get revision(): Revision {
    return this.#revision;
  }

  /** The revision of the last compaction: history before it is gone. */
  get compactedRevision(): Revision {
    return this.#compacted;
  }

  async get(key: string): Promise<KvRecord | undefined> {
    this.#assertOpen();
    validateKey(key);
    return this.#records.get(key);
  }

  async list(prefix: string): Promise<KvListing> {
    this.#assertOpen();
    const records = [...this.#records.values()].filter((record) => record.key.startsWith(prefix));
    records.sort((a, b) => compareKeys(a.key, b.key));
    return Object.freeze({ records: Object.freeze(records), revision: this.#revision });
  }

  async create(key: string, value: string): Promise<Revision> {
    this.#assertOpen();
    validateKey(key);
    this.#assertSize([{ type: 'put', key, value }], []);
    if (this.#records.has(key)) throw new KvError('AlreadyExists', `key ${key} already exists`, { key });
    return this.#apply([{ type: 'put', key, value }]);
  }

  async update(key: string, value: string, options: { expectedRevision?: Revision } = {}): Promise<Revision> {
    this.#assertOpen();
    validateKey(key);
    this.#assertSize([{ type: 'put', key, value }], []);
    this.#assertExpected(key, options.expectedRevision);
    return this.#apply([{ type: 'put', key, value }]);
  }

  async delete(key: string, options: { expectedRevision?: Revision } = {}): Promise<void> {
    this.#assertOpen();
    validateKey(key);
    this.#assertExpected(key, options.expectedRevision);
    this.#apply([{ type: 'delete', key }]);
  }

  async commit(batch: KvBatch): Promise<Revision> {
    this.#assertOpen();
    validateBatch(batch);
    this.#assertSize(batch.operations, batch.guards);
    const failed = batch.guards.find((guard) => !this.#holds(guard));
    if (failed) throw new KvError('Conflict', `guard on ${failed.key} does not hold`, { key: failed.key });
    return this.#apply(batch.operations);
  }

  async watch(prefix: string, afterRevision: Revision, handlers: KvWatchHandlers): Promise<KvWatch> {
    this.#assertOpen();
    const watch = new MemoryWatch(prefix, afterRevision, handlers, (closed) => this.#watches.delete(closed));
    this.#watches.add(watch);
    if (afterRevision + 1n < this.#compacted) {
      watch.lose(compactedError(afterRevision, this.#compacted));
      return watch;
    }
    for (const entry of this.#history) watch.deliver(entry.revision, entry.changes);
    return watch;
  }

  /**
   * Forgets the history before `revision`, as etcd's compaction does: a later watch from
   * an older revision is lost with a Compacted KvError. Invalid for a future revision,
   * Compacted for one at or before the last compaction.
   */
  compact(revision: Revision): void {
    this.#assertOpen();
    if (revision > this.#revision) {
      throw new KvError('Invalid', `cannot compact at ${revision}: the repository is at ${this.#revision}`);
    }
    if (revision <= this.#compacted) throw compactedError(revision, this.#compacted);
    this.#compacted = revision;
    this.#history = this.#history.filter((entry) => entry.revision >= revision);
  }

  /** Ends every running watch with `error` (onLost), as an engine that cancels watches does. */
  loseWatches(error: KvError): void {
    for (const watch of this.#watches) watch.lose(error);
  }

  /** Reports a dropped and restored connection to every running watch; nothing is missed. */
  interruptWatches(error: KvError): void {
    for (const watch of this.#watches) watch.interrupt(error);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#watches].map((watch) => watch.close()));
  }

  /** Applies operations as one transaction; no revision is used when nothing changes. */
  #apply(operations: readonly KvOperation[]): Revision {
    const revision = this.#revision + 1n;
    const changes: KvChange[] = [];
    for (const operation of operations) {
      const change = this.#change(operation, revision);
      if (change) changes.push(change);
    }
    if (changes.length === 0) return this.#revision;
    this.#revision = revision;
    Object.freeze(changes);
    this.#history.push(Object.freeze({ revision, changes }));
    for (const watch of this.#watches) watch.deliver(revision, changes);
    return revision;
  }

  #change(operation: KvOperation, revision: Revision): KvChange | undefined {
    const existing = this.#records.get(operation.key);
    if (operation.type === 'delete') {
      if (!existing) return undefined;
      this.#records.delete(operation.key);
      return Object.freeze({ type: 'delete', key: operation.key, modRevision: revision });
    }
    const record: KvRecord = Object.freeze({
      key: operation.key,
      value: operation.value,
      modRevision: revision,
      createRevision: existing?.createRevision ?? revision,
    });
    this.#records.set(operation.key, record);
    return Object.freeze({ type: 'put', record });
  }

  #holds(guard: KvGuard): boolean {
    const record = this.#records.get(guard.key);
    if ('value' in guard) return record !== undefined && record.value === guard.value;
    return (record?.modRevision ?? 0n) === guard.modRevision;
  }

  #assertExpected(key: string, expected: Revision | undefined): void {
    const record = this.#records.get(key);
    if (!record) throw new KvError('NotFound', `key ${key} does not exist`, { key });
    if (expected !== undefined && record.modRevision !== expected) {
      throw new KvError('Conflict', `key ${key} is at revision ${record.modRevision}, not ${expected}`, { key });
    }
  }

  /** Invalid when the request is above maxRequestBytes, worded like etcd's refusal. */
  #assertSize(operations: readonly KvOperation[], guards: readonly KvGuard[]): void {
    validateRequestSize(operations, guards, this.#maxRequestBytes);
  }

  #assertOpen(): void {
    if (this.#closed) throw new KvError('Unavailable', 'the repository is closed');
  }
}

function compactedError(revision: Revision, compacted: Revision): KvError {
  return new KvError('Compacted', `revision ${revision} is compacted (history starts at ${compacted})`);
}

/** Orders keys by their UTF-8 bytes, as etcd does (code point order). */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}
