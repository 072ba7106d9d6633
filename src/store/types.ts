/**
 * The store stage's contract types: the read half every consumer of a store takes
 * (StoreReader), the Store every backend implements (the reader plus its writes; the
 * indexer writes through its own IndexSink, which every Store satisfies), the optional
 * on-demand reads, and StoreError. Index keys are tuples (arrays of strings), never
 * strings joined with "/".
 */
import type { IndexKey, IndexKeys } from '../indexer/types.ts';
import type { KubeObject, ObjectIdentity } from '../k8s.ts';

export type { IndexKey, IndexKeys };
export { isKeyList } from '../indexer/types.ts';

/**
 * What a reader of one watched resource's store sees (templates, the debug endpoints, the
 * status). Guarantees, for every implementation:
 * - `get` with all keys is an exact match; with fewer keys it matches every object whose
 *   leading keys are equal (prefix). More keys than the store's index has is a StoreError.
 * - Keys need not be unique: several objects may share one key tuple.
 * - An object may be filed under several keys (a multi-valued index_by): every result
 *   holds each object once, however many of its keys match, and `list` holds it once.
 * - Every result is sorted by namespace, then name, then cluster.
 * - Results are read-only (frozen); callers must not mutate them.
 * - `modCount` increases on every mutation that changed the contents, and only then, so a
 *   reader may cache what it derived from the store until it moves.
 */
export interface StoreReader {
  /** The watched resource this store holds. */
  readonly name: string;
  /** How many index keys objects have (index_by length). */
  readonly keyCount: number;
  /** Bumped on every mutation that changed the contents. */
  readonly modCount: number;
  /** Objects whose leading index keys equal `keys` (all objects for no keys). */
  get(...keys: string[]): readonly KubeObject[];
  /** Every object, sorted by namespace then name. */
  list(): readonly KubeObject[];
  /** How many objects are held. */
  size(): number;
}

/**
 * A keyed collection of objects of one watched resource (HAPTIC's store interface, kept):
 * a StoreReader with writes. Beyond the reader's guarantees, for every implementation:
 * - Identity is cluster/namespace/name (metadata.cluster, when a source sets it):
 *   `add`/`update` of an existing identity replaces it (and moves it when its index keys
 *   changed: no trace stays under a key it no longer has); `delete` removes exactly that
 *   object, under every key, never its key-mates, and never an object of the same
 *   namespace/name in another cluster.
 * - `key` is one key or a list of keys (IndexKeys); a key listed twice files the object once.
 * - The store owns what it is given: callers must not change an object after handing it over.
 */
export interface Store extends StoreReader {
  /** Inserts or replaces the object with this identity, under `key` (each key of a list). */
  add(obj: KubeObject, key: IndexKeys): void;
  /** Same as add (upsert). */
  update(obj: KubeObject, key: IndexKeys): void;
  /** Removes the object with this identity (cluster/namespace/name; also uid when both are known). */
  delete(obj: KubeObject): void;
  /**
   * Makes the contents exactly `entries`: absent identities are deleted, entries whose uid
   * and resourceVersion equal the stored object's (and whose keys are unchanged) are left
   * alone (no modCount bump), everything else is upserted.
   */
  replace(entries: ReadonlyArray<{ obj: KubeObject; key: IndexKeys }>): void;
  /** Removes everything. */
  clear(): void;
}

/** The index keys a store files an object under: an optional capability of a StoreReader (the debug endpoint shows them). */
export interface KeyedReads {
  /** The keys the object with `obj`'s identity is filed under, in the order it was given them; empty when it is not held. */
  keysOf(obj: KubeObject): IndexKey[];
}

/** True when `store` can tell the keys of an object. */
export function hasKeysOf<S extends StoreReader>(store: S): store is S & KeyedReads {
  return typeof (store as Partial<KeyedReads>).keysOf === 'function';
}

export type StoreOperation = 'add' | 'update' | 'delete' | 'replace' | 'get' | 'list' | 'clear' | 'fetch';

/** An error of a store operation, carrying the operation, the keys and the cause. */
export class StoreError extends Error {
  override readonly name: string = 'StoreError';
  readonly store: string;
  readonly operation: StoreOperation;
  readonly keys: readonly string[];
  constructor(
    message: string,
    options: { store: string; operation: StoreOperation; keys?: readonly string[]; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.store = options.store;
    this.operation = options.operation;
    this.keys = options.keys ?? [];
  }
}

/**
 * Reads the current version of one object from where the objects come from (the API
 * server, a folder of manifests), for stores that hold references only. The store stage
 * declares it; the controller builds one over a source (the store never imports a source).
 */
export interface Fetcher {
  /**
   * The current version of the object `id` names (namespace "" when cluster-scoped; the
   * cluster it came from, when it has one), or undefined when it does not exist (404).
   * Rejects on any other failure (403, 5xx, a network error) and once `signal` aborts. The
   * store owns (and freezes) what it gets.
   */
  fetch(id: ObjectIdentity, signal: AbortSignal): Promise<KubeObject | undefined>;
}

/** What an on-demand store holds of one object's body, without fetching it. */
export type CachedBody =
  | { readonly state: 'hit'; readonly obj: KubeObject }
  | { readonly state: 'not-found' }
  | { readonly state: 'miss' };

/**
 * How fetching one object's body ended: found, not found (404), failed (403, 5xx,
 * timeout), or superseded: the reference changed (or went away) while the GET was in
 * flight, so the caller should read the store's references again.
 */
export type FetchOutcome =
  | { readonly state: 'hit'; readonly obj: KubeObject }
  | { readonly state: 'not-found' }
  | { readonly state: 'failed'; readonly error: FetchError }
  | { readonly state: 'superseded' };

/** Counters of an on-demand store, for the metrics endpoint (all but `entries` only grow). */
export interface OnDemandStats {
  /** Body lookups answered from the cache (a remembered 404 included). */
  hits: number;
  /** Body lookups the cache could not answer (never fetched, expired, evicted). */
  misses: number;
  /** GETs sent (concurrent requests for one object count once: they share a GET). */
  fetches: number;
  /** GETs that failed (403, 5xx, network, timeout); a GET dropped because the object changed is not counted. */
  fetchErrors: number;
  /** GETs answered 404. */
  notFound: number;
  /** Cached bodies dropped: the object changed or went away, the cache was full, or the TTL expired. */
  evictions: number;
  /** Bodies cached right now (GETs in flight included). */
  entries: number;
  /** Reads of every object at once (a template iterating the whole store): each fetches every miss. */
  fullReads: number;
}

/**
 * The reads of a store that holds references only, an optional capability of a
 * StoreReader: `get` and `list` return objects with metadata.name, namespace, uid and
 * resourceVersion and nothing else (the index is complete; the bodies are not). Bodies
 * are read with `cached` and loaded with `fetch`. A reference that changes (a new
 * resourceVersion or uid) or goes away drops its cached body at once, so a body never
 * predates the reference it is read for.
 */
export interface OnDemandReads {
  /** The body of the object `ref` (a reference from get/list) if it is cached; never fetches. */
  cached(ref: KubeObject): CachedBody;
  /**
   * Loads the body of `ref` into the cache (unless it is there) and reports it. Never
   * rejects. Concurrent calls for one object share a single GET.
   */
  fetch(ref: KubeObject): Promise<FetchOutcome>;
  /** Records that a reader is about to read every object (metered: it fetches every miss). */
  noteFullRead(): void;
  /** A snapshot of the counters. */
  stats(): OnDemandStats;
}

/**
 * Managing the body cache of a store that fetches on demand, an optional capability (the
 * debug server's cache endpoints, as HAPTIC's cache management). Neither call changes the
 * references or modCount: the next read of a dropped body fetches it again.
 */
export interface CacheControls {
  /** Drops every cached body (and remembered 404), aborting GETs in flight; returns how many entries were dropped. */
  clearCache(): number;
  /** Drops the cached bodies whose TTL has passed (lru-cache drops them lazily otherwise); returns how many. */
  evictExpired(): number;
}

/** True when `store` has a body cache that can be managed. */
export function hasCacheControls<S extends StoreReader>(store: S): store is S & CacheControls & OnDemandReads {
  const candidate = store as Partial<CacheControls>;
  return isOnDemandStore(store) && typeof candidate.clearCache === 'function' && typeof candidate.evictExpired === 'function';
}

/** An on-demand store as its readers see it (templates): references, and bodies on demand. */
export type OnDemandReader = StoreReader & OnDemandReads;

/** A Store that holds references only and loads bodies on demand (see OnDemandReads). */
export interface OnDemandStore extends Store, OnDemandReads {}

/** True when `store` holds references and loads bodies on demand. */
export function isOnDemandStore<S extends StoreReader>(store: S): store is S & OnDemandReads {
  const candidate = store as Partial<OnDemandReads>;
  return typeof candidate.cached === 'function' && typeof candidate.fetch === 'function';
}

/** Fetching one object's body failed; names the store and the object. */
export class FetchError extends StoreError {
  override readonly name: string = 'FetchError';
  /** The object's cluster, when it has one. */
  readonly cluster: string | undefined;
  /** The object's namespace ("" when cluster-scoped). */
  readonly namespace: string;
  /** The object's name. */
  readonly object: string;
  /** What went wrong, naming the object: "fetching web/tls failed: <cause>" (or "a|web/tls") or "... timed out after 10000 ms". */
  readonly reason: string;
  /** `message` is `store "<store>": <reason>`. */
  constructor(options: { store: string; cluster?: string | undefined; namespace: string; object: string; reason: string; cause?: unknown }) {
    super(`store "${options.store}": ${options.reason}`, {
      store: options.store,
      operation: 'fetch',
      keys: [options.namespace, options.object],
      cause: options.cause,
    });
    this.cluster = options.cluster;
    this.namespace = options.namespace;
    this.object = options.object;
    this.reason = options.reason;
  }
}
