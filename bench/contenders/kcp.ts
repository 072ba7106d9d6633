/**
 * The kcp contenders: one watched resource (ConfigMaps, index_by cluster, namespace and
 * name) over every workspace of a kcp-style server, through one wildcard watch
 * (`source.kubernetes.kcp`) or through one watch per workspace (`source.kubernetes.clusters`
 * listing each workspace's URL), wired as the controller wires them: source → indexer →
 * store. Runs inside a contender process (see support/child.ts).
 */
import { performance } from 'node:perf_hooks';
import type { KubernetesSourceConfig, WatchedResourceConfig } from '../../src/config/types.ts';
import { Indexer } from '../../src/indexer/index.ts';
import { loadKubeConfig } from '../../src/kube/index.ts';
import { silentLogger } from '../../src/log.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { KubernetesSource } from '../../src/watcher/kubernetes/index.ts';
import { settledHeap } from '../support/heap.ts';

/** How the workspaces are watched. */
export type KcpMode = 'wildcard' | 'workspaces';

export interface KcpParams {
  mode: KcpMode;
  /** kubeconfig of the server (its server URL is the kcp base). */
  kubeconfig: string;
  /** The server's base URL, for the per-workspace URLs. */
  base: string;
  /** The workspaces (logical clusters) to list for `workspaces`. */
  workspaces: string[];
  /** Objects the server holds across all workspaces. */
  expected: number;
}

export interface KcpResult {
  /** From start to every object in the store, in ms. */
  ms: number;
  /** Heap retained after the sync minus the heap before (after full GCs), in bytes. */
  heapBytes: number;
}

/** Starts the source, waits until the store holds every object, and measures. */
export async function sync(params: KcpParams): Promise<KcpResult> {
  const resource: WatchedResourceConfig = {
    name: 'configmaps', apiVersion: 'v1', kind: 'ConfigMap', namespace: '', labelSelector: '', fieldSelector: '',
    indexBy: ['metadata.cluster', 'metadata.namespace', 'metadata.name'], removeFields: ['metadata.managedFields'], store: 'full',
  };
  loadKubeConfig({ kubeconfig: params.kubeconfig }); // loads @kubernetes/client-node: not counted in the heap figure
  const before = await settledHeap();
  const store = new MemoryStore({ name: 'configmaps', keyCount: 3 });
  let markSynced!: () => void;
  const synced = new Promise<void>((resolve) => (markSynced = resolve));
  const indexer: Indexer = new Indexer({ resource, store, logger: silentLogger(), onChange: () => indexer.isSynced && markSynced() });
  const source = new KubernetesSource({ config: sourceConfig(params), resources: [resource], logger: silentLogger() });
  const started = performance.now();
  await source.start(new Map([['configmaps', indexer]]));
  await synced;
  const ms = performance.now() - started;
  if (store.size() !== params.expected) throw new Error(`the store holds ${store.size()} objects, expected ${params.expected}`);
  const heapBytes = (await settledHeap()) - before;
  await source.stop();
  return { ms, heapBytes };
}

function sourceConfig(params: KcpParams): KubernetesSourceConfig {
  const base = { kubeconfig: params.kubeconfig, pageSize: 500, streamingList: true };
  if (params.mode === 'wildcard') return { ...base, kcp: {} };
  return { ...base, clusters: params.workspaces.map((name) => ({ name, server: `${params.base}/clusters/${name}` })) };
}
