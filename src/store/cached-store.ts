/**
 * CachedStore: the `on-demand` store backend. It keeps references only (cluster, namespace,
 * name, uid, resourceVersion, filed under their index keys) and loads bodies with a Fetcher
 * when a reader asks, through an lru-cache bounded by entry count and TTL.
 */
import { LRUCache } from 'lru-cache';
import pLimit, { type LimitFunction } from 'p-limit';
import { formatIdentity, type KubeObject, type ObjectIdentity } from '../k8s.ts';
import { deepFreeze } from './freeze.ts';
import {
  FetchError,
  type CacheControls,
  type CachedBody,
  type FetchOutcome,
  type Fetcher,
  type IndexKey,
  type IndexKeys,
  type KeyedReads,
  type OnDemandStats,
  type OnDemandStore,
} from './types.ts';
import { MemoryStore } from './memory-store.ts';
import { identityKey, isSameVersion, parseIdentityKey, toReference } from './reference.ts';
import type { StoreBackend } from './registry.ts';

/** Defaults of a CachedStore; cache_ttl and max_cache_size come from the config. */
export const DEFAULTS = Object.freeze({
  /**
   * How long a GET of one object may take, in ms, before it is aborted and counted as a
   * failure: a render waits for it, and the last good output stays meanwhile (10 s).
   */
  fetchTimeoutMs: 10_000,
  /**
   * How long a 404 is remembered, in ms (capped by cache_ttl): the passes of one render and
   * the renders right after it do not GET the object again, and a Secret created a moment
   * later is still seen soon. The watch's DELETED event removes the reference anyway.
   */
  notFoundTtlMs: 10_000,
  /**
   * GETs in flight per store at most (further ones wait): a cold render of hundreds of
   * Secrets stays gentle on the API server. Also kept to half of max_cache_size, so a GET
   * in flight is not pushed out of a small cache by its siblings.
   */
  fetchConcurrency: 16,
  /** How often a GET pushed out of a full cache while in flight is sent again before giving up. */
  capacityRetries: 2,
});

/** The `on-demand` store backend: a CachedStore over the fetcher the controller supplies. */
export const onDemandStoreBackend: StoreBackend = Object.freeze<StoreBackend>({
  name: 'on-demand',
  build: ({ name, keyCount, fetcher, maxCacheSize, cacheTtlMs }) => {
    if (fetcher === undefined) {
      throw new Error(`watched resource "${name}": store on-demand needs a source that can read single objects`);
    }
    return new CachedStore({ name, keyCount, fetcher, maxEntries: maxCacheSize, ttlMs: cacheTtlMs });
  },
});

export interface CachedStoreOptions {
  /** The watched resource the store holds (for errors and metrics). */
  name: string;
  /** How many index keys each object has (index_by length). */
  keyCount: number;
  /** Loads bodies. */
  fetcher: Fetcher;
  /** Bodies cached at most (max_cache_size); a positive integer. */
  maxEntries: number;
  /** How long a fetched body stays cached, in ms (cache_ttl); positive. */
  ttlMs: number;
  /** Default DEFAULTS.fetchTimeoutMs. */
  fetchTimeoutMs?: number;
  /** Default DEFAULTS.notFoundTtlMs. */
  notFoundTtlMs?: number;
  /** Default DEFAULTS.fetchConcurrency. */
  fetchConcurrency?: number;
  /** The clock TTLs are measured with, in ms (monotonic); default performance.now. */
  now?: () => number;
  /** Makes the signal that aborts one GET after `ms`; default AbortSignal.timeout. */
  timeoutSignal?: (ms: number) => AbortSignal;
}

/** A cached body, stamped with the version of the reference it was fetched for. */
interface CacheEntry {
  readonly body: CachedBody;
  readonly uid: string | undefined;
  readonly resourceVersion: string | undefined;
}

const MISS: CachedBody = Object.freeze({ state: 'miss' });
const NOT_FOUND: CachedBody & FetchOutcome = Object.freeze({ state: 'not-found' });
const SUPERSEDED: FetchOutcome = Object.freeze({ state: 'superseded' });

/**
 * An OnDemandStore. Guarantees, beyond the Store contract (which it keeps for its
 * references):
 * - memory: per object it holds a reference (identity and version) and its index key;
 *   bodies only for the `maxEntries` most recently used objects, each for `ttlMs` at most;
 * - freshness: add/update of a new version, delete, and a replace that changes or drops an
 *   object evict its body at once, and abort a GET in flight for it, so a body is never
 *   older than its reference; fetching never changes `modCount` (only references do);
 * - a 404 is remembered for notFoundTtlMs and reads as not found; a failed GET is not
 *   cached, so the next fetch tries again;
 * - concurrent fetches of one object share one GET (lru-cache `fetchMethod`); at most
 *   `fetchConcurrency` GETs (and at most half of `maxEntries`) are in flight; each is
 *   aborted after `fetchTimeoutMs`;
 * - bodies are deep-frozen and shared by every reader.
 */
export class CachedStore implements OnDemandStore, KeyedReads, CacheControls {
  readonly name: string;
  readonly keyCount: number;
  readonly #refs: MemoryStore;
  readonly #cache: LRUCache<string, CacheEntry, KubeObject>;
  readonly #fetcher: Fetcher;
  readonly #limit: LimitFunction;
  readonly #fetchTimeoutMs: number;
  readonly #notFoundTtlMs: number;
  readonly #timeoutSignal: (ms: number) => AbortSignal;
  readonly #stats = { hits: 0, misses: 0, fetches: 0, fetchErrors: 0, notFound: 0, evictions: 0, fullReads: 0 };

  constructor(options: CachedStoreOptions) {
    checkPositive(options.name, 'maxEntries', options.maxEntries, true);
    checkPositive(options.name, 'ttlMs', options.ttlMs, false);
    this.name = options.name;
    this.keyCount = options.keyCount;
    this.#refs = new MemoryStore({ name: options.name, keyCount: options.keyCount });
    this.#fetcher = options.fetcher;
    this.#fetchTimeoutMs = options.fetchTimeoutMs ?? DEFAULTS.fetchTimeoutMs;
    this.#notFoundTtlMs = Math.min(options.notFoundTtlMs ?? DEFAULTS.notFoundTtlMs, options.ttlMs);
    this.#timeoutSignal = options.timeoutSignal ?? ((ms) => AbortSignal.timeout(ms));
    const concurrency = options.fetchConcurrency ?? DEFAULTS.fetchConcurrency;
    this.#limit = pLimit(Math.max(1, Math.min(concurrency, Math.floor(options.maxEntries / 2))));
    this.#cache = new LRUCache<string, CacheEntry, KubeObject>({
      max: options.maxEntries,
      ttl: options.ttlMs,
      ttlResolution: 0,
      ...(options.now ? { perf: { now: options.now } } : {}),
      fetchMethod: (key, _stale, { signal, options: set, context }) => this.#load(key, context, signal, set),
      dispose: (_entry, _key, reason) => {
        if (reason === 'evict' || reason === 'delete' || reason === 'expire') this.#stats.evictions++;
      },
    });
  }

  /** Bumped on every change of the references (never by fetching). */
  get modCount(): number {
    return this.#refs.modCount;
  }

  /** Files a reference to `obj` under `key`; a new version evicts the cached body. */
  add(obj: KubeObject, key: IndexKeys): void {
    this.#upsert(obj, (ref) => this.#refs.add(ref, key));
  }

  /** Same as add (upsert). */
  update(obj: KubeObject, key: IndexKeys): void {
    this.#upsert(obj, (ref) => this.#refs.update(ref, key));
  }

  /** Removes the reference (as MemoryStore.delete does) and evicts the cached body. */
  delete(obj: KubeObject): void {
    const before = this.#refs.modCount;
    const held = this.#held(obj);
    this.#refs.delete(obj);
    if (held === undefined || this.#refs.modCount !== before) this.#evict(obj);
  }

  /**
   * Makes the references exactly `entries` (as MemoryStore.replace does); bodies of objects
   * that changed or are gone are evicted, those of unchanged objects stay cached.
   */
  replace(entries: ReadonlyArray<{ obj: KubeObject; key: IndexKeys }>): void {
    const refs = entries.map(({ obj, key }) => ({ obj: toReference(obj), key }));
    const changed = refs.filter(({ obj }) => {
      const held = this.#held(obj);
      return held === undefined || !isSameVersion(held, obj);
    });
    this.#refs.replace(refs);
    for (const { obj } of changed) this.#evict(obj);
    for (const key of [...this.#cache.keys()]) {
      const { cluster, namespace, name } = parseIdentityKey(key);
      if (this.#refs.lookup(namespace, name, cluster) === undefined) this.#cache.delete(key);
    }
  }

  /** References whose leading index keys equal `keys`, sorted; frozen. */
  get(...keys: string[]): readonly KubeObject[] {
    return this.#refs.get(...keys);
  }

  /** Every reference, sorted by namespace then name; frozen. */
  list(): readonly KubeObject[] {
    return this.#refs.list();
  }

  /** Removes every reference and every cached body. */
  clear(): void {
    this.#refs.clear();
    this.#cache.clear();
  }

  /** How many objects are referenced. */
  size(): number {
    return this.#refs.size();
  }

  /** The keys the reference with `obj`'s identity is filed under. */
  keysOf(obj: KubeObject): IndexKey[] {
    return this.#refs.keysOf(obj);
  }

  /** The cached body of `ref`, when one is cached for this very version; counts a hit or a miss. */
  cached(ref: KubeObject): CachedBody {
    const entry = this.#cache.get(identityKey(ref));
    if (entry === undefined || !isStampedFor(entry, ref)) {
      this.#stats.misses++;
      return MISS;
    }
    this.#stats.hits++;
    return entry.body;
  }

  /** Loads the body of `ref` (shared with concurrent callers); never rejects. */
  async fetch(ref: KubeObject): Promise<FetchOutcome> {
    for (let attempt = 0; ; attempt++) {
      try {
        const entry = await this.#limit(() => this.#cache.fetch(identityKey(ref), { context: ref }));
        if (entry === undefined || !isStampedFor(entry, ref)) return SUPERSEDED;
        return entry.body as FetchOutcome;
      } catch (err) {
        if (err instanceof FetchError) return { state: 'failed', error: err };
        // lru-cache dropped the GET in flight: the object changed or went away (look again),
        // or a full cache made room (send it again, a few times).
        if (!this.#isCurrent(ref) || attempt >= DEFAULTS.capacityRetries) return SUPERSEDED;
      }
    }
  }

  /** Counts a read of every object. */
  noteFullRead(): void {
    this.#stats.fullReads++;
  }

  /** A snapshot of the counters. */
  stats(): OnDemandStats {
    return { ...this.#stats, entries: this.#cache.size };
  }

  /** Drops every cached body (counted as evictions); returns how many entries there were. */
  clearCache(): number {
    const entries = this.#cache.size;
    this.#cache.clear();
    return entries;
  }

  /** Drops the bodies past their TTL now rather than when next read; returns how many. */
  evictExpired(): number {
    const before = this.#cache.size;
    this.#cache.purgeStale();
    return before - this.#cache.size;
  }

  /** lru-cache's fetchMethod: one GET, stamped with the reference's version. */
  async #load(key: string, ref: KubeObject, signal: AbortSignal, set: { ttl?: number }): Promise<CacheEntry> {
    this.#stats.fetches++;
    const id = parseIdentityKey(key);
    const timeout = this.#timeoutSignal(this.#fetchTimeoutMs);
    const abort = AbortSignal.any([signal, timeout]);
    let obj: KubeObject | undefined;
    try {
      obj = await untilAborted(this.#fetcher.fetch(id, abort), abort);
    } catch (err) {
      if (signal.aborted) throw err; // dropped by the cache: not a failure of the GET
      this.#stats.fetchErrors++;
      throw this.#fetchError(id, err, timeout.aborted);
    }
    const stamp = { uid: ref.metadata.uid, resourceVersion: ref.metadata.resourceVersion };
    if (obj === undefined) {
      this.#stats.notFound++;
      set.ttl = this.#notFoundTtlMs;
      return { body: NOT_FOUND, ...stamp };
    }
    return { body: Object.freeze({ state: 'hit', obj: deepFreeze(obj) }), ...stamp };
  }

  /** A FetchError naming the object and why (the cause's message, or the timeout). */
  #fetchError({ cluster, namespace, name }: ObjectIdentity, cause: unknown, timedOut: boolean): FetchError {
    const id = formatIdentity(cluster, namespace, name);
    const why = timedOut ? `timed out after ${this.#fetchTimeoutMs} ms` : `failed: ${describe(cause)}`;
    return new FetchError({ store: this.name, cluster, namespace, object: name, reason: `fetching ${id} ${why}`, cause });
  }

  /** Files `obj`'s reference with `file` (which checks it); evicts the body unless the version is the same. */
  #upsert(obj: KubeObject, file: (ref: KubeObject) => void): void {
    const ref = toReference(obj);
    const held = this.#held(ref);
    file(ref);
    if (held === undefined || !isSameVersion(held, ref)) this.#evict(ref);
  }

  #held(obj: KubeObject): KubeObject | undefined {
    const meta = (obj as { metadata?: KubeObject['metadata'] } | null)?.metadata;
    if (typeof meta?.name !== 'string') return undefined;
    return this.#refs.lookup(meta.namespace ?? '', meta.name, meta.cluster);
  }

  /** True when `ref` is still the reference held for its identity (same version). */
  #isCurrent(ref: KubeObject): boolean {
    const held = this.#held(ref);
    return held !== undefined && isStamped(held, ref.metadata.uid, ref.metadata.resourceVersion);
  }

  #evict(obj: KubeObject): void {
    this.#cache.delete(identityKey(obj));
  }
}

/** True when `entry` was fetched for the version `ref` names. */
function isStampedFor(entry: CacheEntry, ref: KubeObject): boolean {
  return isStamped(ref, entry.uid, entry.resourceVersion);
}

function isStamped(ref: KubeObject, uid: string | undefined, resourceVersion: string | undefined): boolean {
  return ref.metadata.uid === uid && ref.metadata.resourceVersion === resourceVersion;
}

/** `work`, or a rejection as soon as `signal` aborts (for fetchers that ignore their signal). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function checkPositive(store: string, option: string, value: number, integer: boolean): void {
  if (value > 0 && Number.isFinite(value) && (!integer || Number.isInteger(value))) return;
  throw new RangeError(`store "${store}": ${option} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`);
}
