/**
 * The kv stage's contract types: a repository of records in a shared key-value store
 * (etcd, PostgreSQL, or memory), with strict semantics. Publishers mirror watched resources
 * into it and subscribers render from it; both speak only this interface, never a client.
 *
 * Revisions are the engine's own (etcd's int64 mod/create revisions, PostgreSQL's global
 * sequence, as bigint). They are
 * never compared with Kubernetes resourceVersions: the stored objects keep theirs inside
 * the value.
 */

/** A revision of the whole repository: increases with every committed change. */
export type Revision = bigint;

/** One stored record. */
export interface KvRecord {
  /** The full key, e.g. `/informant/networking.k8s.io/ingresses/east/web/app`. */
  readonly key: string;
  /** The stored text (informant stores JSON). */
  readonly value: string;
  /** Revision of the change that last wrote this key. */
  readonly modRevision: Revision;
  /** Revision of the change that created this key (since it last did not exist). */
  readonly createRevision: Revision;
}

/** A prefix read at one revision. */
export interface KvListing {
  /** Every record under the prefix, in byte order of their keys. */
  readonly records: readonly KvRecord[];
  /** The revision the listing was read at: watch from `revision + 1n` to miss nothing. */
  readonly revision: Revision;
}

/** A change seen by a watch. */
export type KvChange =
  | { readonly type: 'put'; readonly record: KvRecord }
  | {
      readonly type: 'delete';
      readonly key: string;
      /** The revision of the delete. */
      readonly modRevision: Revision;
    };

/**
 * A precondition of a batch: the key's mod revision must equal `modRevision`
 * (`0n`: the key must not exist), or its value must equal `value`.
 */
export type KvGuard =
  | { readonly key: string; readonly modRevision: Revision }
  | { readonly key: string; readonly value: string };

/** One write of a batch. */
export type KvOperation =
  | { readonly type: 'put'; readonly key: string; readonly value: string }
  | { readonly type: 'delete'; readonly key: string };

/** A transaction: every guard holds and every operation applies, or nothing does. */
export interface KvBatch {
  readonly guards: readonly KvGuard[];
  /** At most KV_MAX_OPERATIONS operations, each key at most once. */
  readonly operations: readonly KvOperation[];
}

/** etcd's default `--max-txn-ops`: the most operations one transaction may carry. */
export const KV_MAX_OPERATIONS = 128;

/**
 * etcd's default `--max-request-bytes` (1.5 MiB): the largest write (keys and values) the
 * PostgreSQL and memory backends accept too, so the same objects are published whichever
 * backend is used.
 */
export const KV_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;

/** What a watch reports to its owner. Calls come in order, never concurrently. */
export interface KvWatchHandlers {
  /** Changes in revision order; the changes of one transaction arrive in one call. */
  onChanges(changes: readonly KvChange[]): void;
  /**
   * The watch cannot go on from where it is (the revision was compacted, the engine
   * canceled it): it is over, and the owner lists again and watches from that listing.
   */
  onLost(error: KvError): void;
  /** The connection dropped; the watch keeps trying to resume from its last revision. */
  onDisconnected?(error: KvError): void;
  /** The watch is (again) receiving changes. */
  onConnected?(): void;
}

/** A running watch. */
export interface KvWatch {
  /** Stops the watch; no handler is called afterwards. */
  close(): Promise<void>;
}

/**
 * A key-value repository with strict operations. Every failure rejects with a KvError
 * whose `code` says what happened, whatever the engine behind it.
 */
export interface Repository {
  /** The record at `key`, or undefined. */
  get(key: string): Promise<KvRecord | undefined>;
  /** Every record whose key starts with `prefix`, and the revision it was read at. */
  list(prefix: string): Promise<KvListing>;
  /** Writes a key that must not exist; AlreadyExists otherwise. Resolves to the new mod revision. */
  create(key: string, value: string): Promise<Revision>;
  /**
   * Replaces a key that must exist (NotFound) and, when `expectedRevision` is given, must
   * still be at that mod revision (Conflict). Resolves to the new mod revision.
   */
  update(key: string, value: string, options?: { expectedRevision?: Revision }): Promise<Revision>;
  /** Removes a key that must exist (NotFound), at `expectedRevision` when given (Conflict). */
  delete(key: string, options?: { expectedRevision?: Revision }): Promise<void>;
  /**
   * Applies a batch atomically. Conflict when a guard does not hold (nothing is written);
   * resolves to the revision of the transaction.
   */
  commit(batch: KvBatch): Promise<Revision>;
  /**
   * Watches every key under `prefix`, starting with the changes after `afterRevision`.
   * Resolves once the watch is established.
   */
  watch(prefix: string, afterRevision: Revision, handlers: KvWatchHandlers): Promise<KvWatch>;
  /** Closes the connection and every watch. */
  close(): Promise<void>;
}

/**
 * The one error set every backend maps its failures onto. Invalid is permanent: the engine
 * refuses the request itself (too large, malformed) and refuses it again however often it
 * is retried. Unavailable is transient: retry after a backoff. The others are outcomes of
 * a precondition, decided by the state of the keys.
 */
export type KvErrorCode = 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Unavailable' | 'Compacted' | 'Invalid';

/** A failed repository operation: what kind of failure, on which key, and the cause. */
export class KvError extends Error {
  override readonly name = 'KvError';
  readonly code: KvErrorCode;
  /** The key concerned, when there is one. */
  readonly key: string | undefined;
  constructor(code: KvErrorCode, message: string, options: { key?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.key = options.key;
  }
}

/** True when `err` is a KvError that retrying the same request cannot cure (Invalid). */
export function isPermanentKvError(err: unknown): err is KvError {
  return isKvError(err, 'Invalid');
}

/** True when `err` is a KvError (of `code`, when given). */
export function isKvError(err: unknown, code?: KvErrorCode): err is KvError {
  return err instanceof KvError && (code === undefined || err.code === code);
}
