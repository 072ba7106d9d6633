/**
 * Benchmarks 1 and 3: the initial sync of N Pods (~4.7 KB of JSON each, a third of
 * it managedFields) by informant (streaming list, and paginated LIST), by client-node's
 * informer, and by the JSON.parse floor over the same bytes; and, from the same processes,
 * the heap each keeps per object after full GCs.
 */
import type { Benchmark, RunContext, Scale } from './support/benchmark.ts';
import { Child } from './support/child.ts';
import { generate, startCluster } from './support/cluster.ts';
import { pod } from './support/objects.ts';
import { find, ratio, row, type Ratio, type Row, type Section } from './support/report.ts';
import type { SyncMode, SyncParams, SyncResult } from './contenders/types.ts';

/** Sizes per scale: N objects, and how many fresh processes each contender gets per N. */
const SIZES: Readonly<Record<Scale, { counts: number[]; runs: number }>> = Object.freeze({
  tiny: { counts: [200], runs: 1 },
  quick: { counts: [10_000], runs: 1 },
  /** 10k and 50k Pods; three runs each for a median and a spread. */
  full: { counts: [10_000, 50_000], runs: 3 },
});

interface Contender {
  label: string;
  module: string;
  mode?: SyncMode;
}

const INFORMANT_STREAM = 'informant (streaming list)';
const INFORMANT_LIST = 'informant (paginated LIST)';
const CLIENT_NODE = 'client-node informer';
const FLOOR_STREAM = 'floor: JSON.parse (streaming list)';
const FLOOR_LIST = 'floor: JSON.parse (paginated LIST)';

const CONTENDERS: readonly Contender[] = Object.freeze([
  { label: INFORMANT_STREAM, module: 'contenders/informant.ts', mode: 'stream' },
  { label: INFORMANT_LIST, module: 'contenders/informant.ts', mode: 'list' },
  { label: CLIENT_NODE, module: 'contenders/client-node.ts' },
  { label: FLOOR_STREAM, module: 'contenders/floor.ts', mode: 'stream' },
  { label: FLOOR_LIST, module: 'contenders/floor.ts', mode: 'list' },
]);

export const benchmark: Benchmark = {
  id: 'sync',
  title: 'Initial sync and heap per object',
  async run(ctx: RunContext): Promise<Section[]> {
    const { counts, runs } = SIZES[ctx.scale];
    const rates: Row[] = [];
    const heaps: Row[] = [];
    for (const count of counts) {
      const samples = await measure(ctx, count, runs);
      for (const contender of CONTENDERS) {
        const results = samples.get(contender.label)!;
        rates.push(row(contender.label, 'objects/s', results.map((r) => (count * 1000) / r.ms), count));
        heaps.push(row(contender.label, 'bytes/object', results.map((r) => r.heapBytes / count), count));
      }
    }
    return [syncSection(rates, counts), heapSection(heaps, counts)];
  },
};

/** Runs every contender `runs` times (interleaved, each in a fresh process) against one server of `count` Pods. */
async function measure(ctx: RunContext, count: number, runs: number): Promise<Map<string, SyncResult[]>> {
  ctx.log(`sync: seeding ${count} Pods`);
  const cluster = await startCluster({ pods: generate(count, pod) });
  const samples = new Map<string, SyncResult[]>(CONTENDERS.map((c) => [c.label, []]));
  try {
    for (let run = 0; run < runs; run++) {
      for (const contender of CONTENDERS) {
        const params: SyncParams = { kubeconfig: cluster.kubeconfig, server: cluster.server.url, token: cluster.token, path: '/api/v1/pods', expected: count, mode: contender.mode ?? 'list' };
        const result = await Child.run<SyncResult>({ module: contender.module, task: 'sync', params, nodeFlags: ctx.nodeFlags });
        ctx.log(`sync: ${count} ${contender.label}: ${result.ms.toFixed(0)} ms, ${(result.heapBytes / count).toFixed(0)} B/object`);
        samples.get(contender.label)!.push(result);
      }
    }
  } finally {
    await cluster.close();
  }
  return samples;
}

function syncSection(rows: Row[], counts: number[]): Section {
  const ratios: Ratio[] = counts.flatMap((n) => [
    // No goal against client-node: the floor itself is only 1.2–2.6x client-node (docs/BENCHMARKS.md).
    ratio('informant (streaming) ÷ client-node', find(rows, INFORMANT_STREAM, n), find(rows, CLIENT_NODE, n)),
    ratio('informant (paginated) ÷ client-node', find(rows, INFORMANT_LIST, n), find(rows, CLIENT_NODE, n)),
    ratio('informant (streaming) ÷ floor (streaming)', find(rows, INFORMANT_STREAM, n), find(rows, FLOOR_STREAM, n), { op: '>=', target: 0.6 }),
    ratio('informant (paginated) ÷ floor (paginated)', find(rows, INFORMANT_LIST, n), find(rows, FLOOR_LIST, n), { op: '>=', target: 0.6 }),
  ]);
  return {
    id: 'sync',
    title: '1. Initial sync of N Pods (objects/s, higher is better)',
    rows,
    ratios,
    notes: [
      'Time from start to "every object is in the cache": informant until synced() (source → indexer with default remove_fields → MemoryStore); client-node until `await informer.start()` (unpaginated LIST via CoreV1Api, watch open); the floor until the last object is parsed.',
      'Pods are ~4.7 KB of JSON each, ~1.8 KB of it managedFields. The server runs in the runner process; each contender in a fresh process.',
    ],
  };
}

function heapSection(rows: Row[], counts: number[]): Section {
  const ratios: Ratio[] = counts.flatMap((n) => [
    ratio('informant ÷ client-node', find(rows, INFORMANT_STREAM, n), find(rows, CLIENT_NODE, n), { op: '<=', target: 0.4 }),
    ratio('informant ÷ raw parsed objects (floor)', find(rows, INFORMANT_STREAM, n), find(rows, FLOOR_STREAM, n)),
  ]);
  return {
    id: 'heap',
    title: '3. Heap per object after GC (bytes/object, lower is better)',
    rows,
    ratios,
    notes: [
      'Heap in use after the sync and one read of every object (informant lists its store, as the first render does; client-node lists its cache) minus the heap before it (client libraries loaded), both after four full GCs (--expose-gc), divided by N; measured in the sync processes above.',
      'informant keeps stripped, frozen objects whose repeated strings are shared (one instance each, bounded table) plus its indexes (trie, identity map, the reflector\'s id set); client-node keeps objects as delivered (managedFields included); the floor is the raw JSON.parse result, for reference.',
    ],
  };
}
