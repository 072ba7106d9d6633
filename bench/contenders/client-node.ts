/**
 * @kubernetes/client-node's informer as the contender: what a Node user picks today.
 * `makeInformer` over CoreV1Api.listPodForAllNamespaces (one unpaginated LIST, as the
 * library's examples do), its ObjectCache holding every object as delivered. client-node
 * has no field stripping and no indexes; its cache is namespace → name → object.
 */
import { performance } from 'node:perf_hooks';
import { CoreV1Api, KubeConfig, makeInformer, type Informer, type ObjectCache, type V1Pod } from '@kubernetes/client-node';
import { settledHeap } from '../support/heap.ts';
import type { Link } from '../support/link.ts';
import type { ClusterParams, IngestParams, IngestResult, SyncResult } from './types.ts';

type PodInformer = Informer<V1Pod> & ObjectCache<V1Pod>;

/** Initial sync: `await informer.start()` (the list is in the cache and the watch is open). */
export async function sync(params: ClusterParams): Promise<SyncResult> {
  const { informer, errors } = build(params);
  const before = await settledHeap();
  const started = performance.now();
  await informer.start();
  const ms = performance.now() - started;
  if (errors.length > 0) throw errors[0];
  expectCount(informer.list().length, params.expected);
  const heapBytes = (await settledHeap()) - before;
  return { ms, heapBytes };
}

/** Watch ingest: sync, say ready, then count `update` callbacks up to `events`. */
export async function ingest(params: IngestParams, link: Link): Promise<IngestResult> {
  const { informer, errors } = build(params);
  await informer.start();
  if (errors.length > 0) throw errors[0];
  expectCount(informer.list().length, params.expected);
  const done = new Promise<number>((resolve, reject) => {
    let count = 0;
    let first = 0;
    informer.on('update', () => {
      count++;
      if (count === 1) first = performance.now();
      if (count === params.events) resolve(performance.now() - first);
    });
    informer.on('error', reject);
  });
  link.send({ type: 'ready' });
  return { ms: await done, events: params.events };
}

function build(params: ClusterParams): { informer: PodInformer; errors: unknown[] } {
  const kc = new KubeConfig();
  kc.loadFromFile(params.kubeconfig);
  const api = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer<V1Pod>(kc, params.path, () => api.listPodForAllNamespaces());
  const errors: unknown[] = [];
  informer.on('error', (err) => errors.push(err));
  return { informer, errors };
}

function expectCount(actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`client-node's informer holds ${actual} objects, expected ${expected}`);
}
