/**
 * Benchmark 9: kcp. W workspaces of 10 ConfigMaps each on a kcp-style test API server
 * (logical clusters), watched through one wildcard list/watch (`source.kubernetes.kcp`)
 * against one list/watch per workspace (`source.kubernetes.clusters` with each
 * workspace's URL): time until every object is in the store, the heap that keeps, and the
 * requests and bytes the server answered for it. Each contender in fresh processes.
 */
import type { KubeObject } from '../src/k8s.ts';
import type { Benchmark, RunContext, Scale } from './support/benchmark.ts';
import { Child } from './support/child.ts';
import { startCluster } from './support/cluster.ts';
import { ratio, row, type Row, type Section } from './support/report.ts';
import type { KcpMode, KcpParams, KcpResult } from './contenders/kcp.ts';

/** Sizes per scale: workspaces, objects per workspace, fresh processes per contender. */
const SIZES: Readonly<Record<Scale, { workspaces: number; perWorkspace: number; runs: number }>> = Object.freeze({
  tiny: { workspaces: 20, perWorkspace: 10, runs: 1 },
  quick: { workspaces: 1_000, perWorkspace: 10, runs: 1 },
  full: { workspaces: 1_000, perWorkspace: 10, runs: 3 },
});

const CONTENDERS: ReadonlyArray<{ mode: KcpMode; label: string }> = Object.freeze([
  { mode: 'wildcard', label: 'one wildcard watch (kcp)' },
  { mode: 'workspaces', label: 'a watch per workspace (clusters)' },
]);

/** A ConfigMap of ~600 bytes of JSON, as a workspace holds them. */
function configMap(workspace: string, i: number): KubeObject {
  return {
    metadata: { namespace: 'default', name: `settings-${i}`, labels: { app: `app-${i}`, 'app.kubernetes.io/part-of': workspace } },
    data: { 'config.yaml': `workspace: ${workspace}\nreplicas: ${i}\nfeatures: [a, b, c]\n`, endpoint: `https://${workspace}.example/api/${i}`, token: 'x'.repeat(200) },
  };
}

export const benchmark: Benchmark = {
  id: 'kcp',
  title: 'kcp: one wildcard watch against a watch per workspace',
  async run(ctx: RunContext): Promise<Section[]> {
    const { workspaces: count, perWorkspace, runs } = SIZES[ctx.scale];
    const workspaces = Array.from({ length: count }, (_, i) => `ws${String(i).padStart(5, '0')}`);
    const cluster = await startCluster({}, { logicalClusters: true });
    try {
      for (const ws of workspaces) for (let i = 0; i < perWorkspace; i++) cluster.server.create('configmaps', configMap(ws, i), { cluster: ws });
      const expected = count * perWorkspace;
      const samples = new Map(CONTENDERS.map((c) => [c.mode, { ms: [] as number[], heap: [] as number[], requests: [] as number[], bytes: [] as number[] }]));
      for (let run = 0; run < runs; run++) {
        for (const contender of CONTENDERS) {
          ctx.log(`kcp: ${count} workspaces × ${perWorkspace}, ${contender.label}`);
          const requests = cluster.server.requests.length;
          const bytes = cluster.server.bytesSent;
          const params: KcpParams = { mode: contender.mode, kubeconfig: cluster.kubeconfig, base: cluster.server.url, workspaces, expected };
          const result = await Child.run<KcpResult>({ module: 'contenders/kcp.ts', task: 'sync', params, nodeFlags: ctx.nodeFlags });
          const s = samples.get(contender.mode)!;
          s.ms.push(result.ms);
          s.heap.push(result.heapBytes / 1024 / 1024);
          s.requests.push(cluster.server.requests.length - requests);
          s.bytes.push((cluster.server.bytesSent - bytes) / 1024 / 1024);
        }
      }
      return [section(samples, expected, count, perWorkspace)];
    } finally {
      await cluster.close();
    }
  },
};

function section(samples: Map<KcpMode, { ms: number[]; heap: number[]; requests: number[]; bytes: number[] }>, expected: number, workspaces: number, perWorkspace: number): Section {
  const rows: Row[] = [];
  const byMode = (mode: KcpMode) => {
    const s = samples.get(mode)!;
    const label = CONTENDERS.find((c) => c.mode === mode)!.label;
    const made = {
      ms: row(`sync time — ${label}`, 'ms', s.ms, expected),
      heap: row(`heap — ${label}`, 'MiB', s.heap, expected),
      requests: row(`requests — ${label}`, 'requests', s.requests, expected),
      bytes: row(`bytes served — ${label}`, 'MiB', s.bytes, expected),
    };
    rows.push(made.ms, made.heap, made.requests, made.bytes);
    return made;
  };
  const wildcard = byMode('wildcard');
  const perWorkspaceRows = byMode('workspaces');
  return {
    id: 'kcp',
    title: `9. kcp: ${workspaces.toLocaleString('en-US')} workspaces × ${perWorkspace} ConfigMaps, one wildcard watch against a watch per workspace (lower is better)`,
    rows,
    ratios: [
      ratio('sync time: per workspace ÷ wildcard', perWorkspaceRows.ms, wildcard.ms),
      ratio('heap: per workspace ÷ wildcard', perWorkspaceRows.heap, wildcard.heap),
      ratio('requests: per workspace ÷ wildcard', perWorkspaceRows.requests, wildcard.requests),
    ],
    notes: [
      'A kcp-style TestApiServer (logical clusters under /clusters/<name>, the wildcard /clusters/* for list and watch, every object annotated kcp.io/cluster) in the runner process; each contender a KubernetesSource → Indexer (index_by metadata.cluster, namespace, name) → MemoryStore in a fresh process, streaming lists on (the default).',
      'Heap: retained after the sync minus before it (the Kubernetes client library already loaded), both after full GCs, for the whole pipeline (clients, reflectors and store). Requests and bytes: what the server answered from the contender\'s start to its sync (discovery included).',
    ],
  };
}
