/**
 * Item 2 of issue 6: watch ingest. The server holds a fixed set of Pods; once a contender
 * has synced and says it is ready, the runner writes M MODIFIED events (one update per
 * event, cycling over the Pods) in one synchronous burst, so the server has every event
 * queued before the first byte leaves and then streams them as fast as the contender reads:
 * the figure is the contender's rate, not the server's.
 */
import type { Benchmark, RunContext, Scale } from './support/benchmark.ts';
import { Child } from './support/child.ts';
import { generate, startCluster, type BenchCluster } from './support/cluster.ts';
import { pod } from './support/objects.ts';
import { find, ratio, row, type Row, type Section } from './support/report.ts';
import type { IngestParams, IngestResult } from './contenders/types.ts';

/** Sizes per scale: Pods on the server, events per run (several sizes), fresh processes per contender and size. */
const SIZES: Readonly<Record<Scale, { pods: number; events: number[]; runs: number }>> = Object.freeze({
  tiny: { pods: 50, events: [200], runs: 1 },
  quick: { pods: 1_000, events: [10_000], runs: 1 },
  /** 1,000 Pods modified over and over: the store's size stays put, only the event rate is measured. */
  full: { pods: 1_000, events: [10_000, 50_000], runs: 3 },
});

const INFORMANT = 'informant';
const CLIENT_NODE = 'client-node informer';
const FLOOR = 'floor: JSON.parse';

const CONTENDERS = Object.freeze([
  { label: INFORMANT, module: 'contenders/informant.ts' },
  { label: CLIENT_NODE, module: 'contenders/client-node.ts' },
  { label: FLOOR, module: 'contenders/floor.ts' },
]);

export const benchmark: Benchmark = {
  id: 'watch',
  title: 'Watch ingest',
  async run(ctx: RunContext): Promise<Section[]> {
    const { pods, events, runs } = SIZES[ctx.scale];
    const rows: Row[] = [];
    for (const count of events) {
      const cluster = await startCluster({ pods: generate(pods, pod) }, { historyWindow: count + pods });
      try {
        const samples = new Map<string, number[]>(CONTENDERS.map((c) => [c.label, []]));
        let generation = 0;
        for (let run = 0; run < runs; run++) {
          for (const contender of CONTENDERS) {
            const params: IngestParams = { kubeconfig: cluster.kubeconfig, server: cluster.server.url, token: cluster.token, path: '/api/v1/pods', expected: pods, events: count };
            const result = await ingestOnce(ctx, cluster, contender.module, params, ++generation);
            ctx.log(`watch: ${count} events ${contender.label}: ${result.ms.toFixed(0)} ms`);
            samples.get(contender.label)!.push(((result.events - 1) * 1000) / result.ms);
          }
        }
        for (const contender of CONTENDERS) rows.push(row(contender.label, 'events/s', samples.get(contender.label)!, count));
      } finally {
        await cluster.close();
      }
    }
    return [section(rows, events)];
  },
};

/** One contender process: wait until it is ready, write the burst, wait for its result. */
async function ingestOnce(ctx: RunContext, cluster: BenchCluster, module: string, params: IngestParams, generation: number): Promise<IngestResult> {
  const child = Child.start({ module, task: 'ingest', params, nodeFlags: ctx.nodeFlags });
  try {
    await child.next('ready');
    for (let i = 0; i < params.events; i++) cluster.server.update('pods', pod(i % params.expected, generation * params.events + i));
    return await child.result<IngestResult>();
  } finally {
    await child.close();
  }
}

function section(rows: Row[], sizes: number[]): Section {
  return {
    id: 'watch',
    title: '2. Watch ingest of M MODIFIED Pod events (events/s, higher is better)',
    rows,
    ratios: sizes.flatMap((m) => [
      ratio('informant ÷ client-node', find(rows, INFORMANT, m), find(rows, CLIENT_NODE, m), { op: '>=', target: 3 }),
      ratio('informant ÷ floor', find(rows, INFORMANT, m), find(rows, FLOOR, m), { op: '>=', target: 0.6 }),
    ]),
    notes: [
      'Rate from the first event applied to the M-th: informant counts store changes (parse, strip, index key, MemoryStore update, freeze), client-node its `update` callbacks, the floor parsed MODIFIED lines.',
      'The runner queues all M events before the server writes any, so each contender reads as fast as it can.',
    ],
  };
}
