/**
 * The on-demand store's memory benchmark: the heap a watched resource of N Secrets (4 KB of data each)
 * costs with `store: full` and with `store: on-demand`, after full GCs.
 *
 * - full: each Secret arrives as the API server sends it (JSON text, parsed), goes through
 *   an Indexer (default remove_fields, index_by namespace and name) into a MemoryStore.
 * - on-demand: each Secret arrives as a metadata-only watch delivers it
 *   (PartialObjectMetadata: apiVersion, kind, metadata), goes through the same Indexer into
 *   a CachedStore, and then `maxCacheSize` Secrets are fetched (parsed from their full JSON
 *   text, as over the network) so the cache is as full as it gets.
 *
 * The reflector's own bookkeeping is the same for both and is not counted. Run as
 *   node --expose-gc bench/on-demand-heap.ts [count] [maxCacheSize]
 * or call measureOnDemandHeap() (in a process with --expose-gc); `full` and `onDemand` are
 * also tasks for bench/child.ts, one fresh process each.
 */
import { DEFAULTS as CONFIG_DEFAULTS } from '../src/config/defaults.ts';
import type { WatchedResourceConfig } from '../src/config/types.ts';
import { Indexer } from '../src/indexer/index.ts';
import type { KubeObject } from '../src/k8s.ts';
import { silentLogger } from '../src/log.ts';
import { CachedStore } from '../src/store/cached-store.ts';
import type { Fetcher, Store } from '../src/store/index.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import { settledHeap } from './support/heap.ts';
import { secret } from './support/objects.ts';

/** The sizes measured: 10k Secrets, the default max_cache_size. */
export const DEFAULTS = Object.freeze({
  /** Secrets in the watched resource. */
  count: 10_000,
  /** Bodies the on-demand cache holds (max_cache_size's default). */
  maxCacheSize: CONFIG_DEFAULTS.maxCacheSize,
  /** The goal: the on-demand store costs at most this fraction of the full one. */
  goalRatio: 0.2,
});

export interface OnDemandHeapParams {
  count?: number;
  maxCacheSize?: number;
}

/** Heap held by one store and what fills it, after full GCs, minus the heap before it existed. */
export interface HeapReading {
  bytes: number;
  bytesPerObject: number;
  /** Objects the store holds (references for on-demand). */
  objects: number;
  /** on-demand only: bodies cached. */
  cached?: number;
}

/** Both readings and their ratio (on-demand / full). */
export interface OnDemandHeapResult {
  count: number;
  maxCacheSize: number;
  full: HeapReading;
  onDemand: HeapReading;
  ratio: number;
  goalRatio: number;
}

function resource(store: string): WatchedResourceConfig {
  return {
    name: 'secrets', apiVersion: 'v1', kind: 'Secret', namespace: '', labelSelector: '', fieldSelector: '',
    indexBy: [...CONFIG_DEFAULTS.indexBy], removeFields: [...CONFIG_DEFAULTS.removeFields], store,
  };
}

/** Secret `i` as the API server would send it: JSON text with a resourceVersion. */
function wireText(i: number): string {
  const obj = secret(i);
  obj.metadata.resourceVersion = String(1000 + i);
  return JSON.stringify(obj);
}

/** Secret `i` as a metadata-only watch sends it. */
function metadataText(i: number): string {
  const { apiVersion, kind, metadata } = JSON.parse(wireText(i)) as KubeObject;
  return JSON.stringify({ apiVersion, kind, metadata });
}

/** Task: the heap of a full store of `count` Secrets. */
export async function full(params: OnDemandHeapParams = {}): Promise<HeapReading> {
  const count = params.count ?? DEFAULTS.count;
  const before = await settledHeap();
  const store = new MemoryStore({ name: 'secrets', keyCount: 2 });
  fill(store, 'full', count, wireText);
  const bytes = (await settledHeap()) - before;
  return { bytes, bytesPerObject: bytes / count, objects: store.size() };
}

/** Task: the heap of an on-demand store of `count` Secrets with `maxCacheSize` bodies cached. */
export async function onDemand(params: OnDemandHeapParams = {}): Promise<HeapReading> {
  const count = params.count ?? DEFAULTS.count;
  const maxCacheSize = params.maxCacheSize ?? DEFAULTS.maxCacheSize;
  const fetcher: Fetcher = {
    fetch: async ({ name }) => JSON.parse(wireText(Number(name.slice('tls-'.length)))) as KubeObject,
  };
  const before = await settledHeap();
  const store = new CachedStore({ name: 'secrets', keyCount: 2, fetcher, maxEntries: maxCacheSize, ttlMs: 600_000 });
  fill(store, 'on-demand', count, metadataText);
  for (const ref of store.list().slice(0, maxCacheSize)) await store.fetch(ref);
  const bytes = (await settledHeap()) - before;
  return { bytes, bytesPerObject: bytes / count, objects: store.size(), cached: store.stats().entries };
}

/** Delivers `count` Secrets (parsed from `text(i)`) through an Indexer into `store`, as one list. */
function fill(store: Store, type: string, count: number, text: (i: number) => string): void {
  const indexer = new Indexer({ resource: resource(type), store, logger: silentLogger() });
  const objects: KubeObject[] = [];
  for (let i = 0; i < count; i++) objects.push(JSON.parse(text(i)) as KubeObject);
  indexer.replace(objects);
}

/**
 * Measures both stores in this process (which must run with --expose-gc), the full one
 * first, each against the heap just before it was built.
 */
export async function measureOnDemandHeap(params: OnDemandHeapParams = {}): Promise<OnDemandHeapResult> {
  const count = params.count ?? DEFAULTS.count;
  const maxCacheSize = params.maxCacheSize ?? DEFAULTS.maxCacheSize;
  const fullReading = await full({ count });
  const onDemandReading = await onDemand({ count, maxCacheSize });
  return { count, maxCacheSize, full: fullReading, onDemand: onDemandReading, ratio: onDemandReading.bytes / fullReading.bytes, goalRatio: DEFAULTS.goalRatio };
}

if (import.meta.main) {
  const [count, maxCacheSize] = process.argv.slice(2).map(Number);
  const result = await measureOnDemandHeap({ ...(count ? { count } : {}), ...(maxCacheSize ? { maxCacheSize } : {}) });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
