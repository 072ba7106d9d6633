/**
 * informant as the contender: a KubernetesSource feeding an Indexer (default remove_fields,
 * index_by namespace and name) that writes into a MemoryStore, exactly as the controller
 * wires one watched resource. Runs inside a contender process (see support/child.ts).
 */
import { performance } from 'node:perf_hooks';
import { DEFAULTS as CONFIG_DEFAULTS, DEFAULT_LIMITS } from '../../src/config/defaults.ts';
import type { WatchedResourceConfig } from '../../src/config/types.ts';
import { Indexer } from '../../src/indexer/index.ts';
import { loadKubeConfig } from '../../src/kube/index.ts';
import { silentLogger } from '../../src/log.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import type { WatchSink } from '../../src/watcher/index.ts';
import { KubernetesSource } from '../../src/watcher/kubernetes/index.ts';
import { LimitedSink } from '../../src/watcher/limited-sink.ts';
import { settledHeap } from '../support/heap.ts';
import type { Link } from '../support/link.ts';
import { PAGE_SIZE, type IngestParams, type IngestResult, type SyncMode, type SyncParams, type SyncResult } from './types.ts';

/** One watched resource as the controller wires it: source → indexer → store. */
interface Pipeline {
  source: KubernetesSource;
  store: MemoryStore;
  indexer: Indexer;
  /** Resolves once the initial state is in the store. */
  synced: Promise<void>;
  /** Hears every change applied after the sync; replace it to count events. */
  listener: () => void;
}

/** The indexer as the controller hands it to a source: behind the limits check (limits in the config). */
function sinksOf(pipeline: { indexer: Indexer }): Map<string, WatchSink> {
  return new Map([['pods', new LimitedSink('pods', pipeline.indexer, DEFAULT_LIMITS, () => undefined)]]);
}

/** Initial sync: start → synced, and the heap the synced store keeps. */
export async function sync(params: SyncParams): Promise<SyncResult> {
  const pipeline = build(params, params.mode);
  loadLibrary(params);
  const before = await settledHeap();
  const started = performance.now();
  await pipeline.source.start(sinksOf(pipeline));
  await pipeline.synced;
  const ms = performance.now() - started;
  // Every object read once, as the controller's first render reads them (and as the
  // client-node contender lists its cache): the store freezes what it first hands out.
  expectCount(pipeline.store.list().length, params.expected);
  const heapBytes = (await settledHeap()) - before;
  return { ms, heapBytes };
}

/** Watch ingest: sync, say ready, then apply `events` MODIFIED events as fast as they come. */
export async function ingest(params: IngestParams, link: Link): Promise<IngestResult> {
  const pipeline = build(params, 'stream');
  await pipeline.source.start(sinksOf(pipeline));
  await pipeline.synced;
  expectCount(pipeline.store.size(), params.expected);
  const done = countChanges(pipeline, params.events);
  link.send({ type: 'ready' });
  const ms = await done;
  return { ms, events: params.events };
}

/**
 * Loads @kubernetes/client-node (informant loads it on first use, for kubeconfig and
 * authentication only) before the clock and the heap reading start, as the client-node
 * contender has it loaded by its imports: a second of module loading and ~20 MB of library
 * code are neither sync time nor heap per object.
 */
function loadLibrary(params: SyncParams): void {
  loadKubeConfig({ kubeconfig: params.kubeconfig });
}

/** The pipeline of the `pods` resource against the benchmark server; not started. */
function build(params: SyncParams | IngestParams, mode: SyncMode): Pipeline {
  const resource: WatchedResourceConfig = {
    name: 'pods', apiVersion: 'v1', kind: 'Pod', namespace: '', labelSelector: '', fieldSelector: '',
    indexBy: [...CONFIG_DEFAULTS.indexBy], removeFields: [...CONFIG_DEFAULTS.removeFields], store: 'full',
  };
  const store = new MemoryStore({ name: 'pods', keyCount: resource.indexBy.length });
  const source = new KubernetesSource({
    config: { kubeconfig: params.kubeconfig, pageSize: PAGE_SIZE, streamingList: mode === 'stream' },
    resources: [resource],
    logger: silentLogger(),
  });
  let markSynced!: () => void;
  const synced = new Promise<void>((resolve) => (markSynced = resolve));
  const indexer: Indexer = new Indexer({
    resource,
    store,
    logger: silentLogger(),
    onChange: () => {
      if (!indexer.isSynced) return;
      markSynced();
      pipeline.listener();
    },
  });
  const pipeline: Pipeline = { source, store, indexer, synced, listener: () => {} };
  return pipeline;
}

/** Resolves with the ms from the first change applied after now to the `events`-th. */
function countChanges(pipeline: Pipeline, events: number): Promise<number> {
  return new Promise((resolve) => {
    let count = 0;
    let first = 0;
    pipeline.listener = () => {
      count++;
      if (count === 1) first = performance.now();
      if (count === events) resolve(performance.now() - first);
    };
  });
}

function expectCount(actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`informant holds ${actual} objects, expected ${expected}`);
}
