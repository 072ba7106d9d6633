/**
 * Benchmark 2: watch ingest. The server holds a fixed set of Pods; once a contender
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

/** One measurement: Pods on the server (and in every contender's cache), MODIFIED events written. */
interface Case {
  pods: number;
  events: number;
}

/** Pods held in the cases whose rows carry no "Pods held" suffix. */
const SMALL_STORE = 1_000;

/** Cases per scale, and fresh processes per contender and case. */
const SIZES: Readonly<Record<Scale, { cases: Case[]; runs: number }>> = Object.freeze({
  tiny: { cases: [{ pods: 50, events: 200 }], runs: 1 },
  quick: { cases: [{ pods: SMALL_STORE, events: 10_000 }], runs: 1 },
  /**
   * 1,000 Pods modified over and over (the store's size stays put, only the event rate is
   * measured), and 50k events into a cache of 50k Pods, where each contender's heap is
   * large (client-node keeps 11 KB per Pod) and the collector has to work through it.
   */
  full: {
    cases: [{ pods: SMALL_STORE, events: 10_000 }, { pods: SMALL_STORE, events: 50_000 }, { pods: 50_000, events: 50_000 }],
    runs: 3,
  },
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
    const { cases, runs } = SIZES[ctx.scale];
    const rows: Row[] = [];
    for (const { pods, events: count } of cases) {
      const cluster = await startCluster({ pods: generate(pods, pod) }, { historyWindow: count + pods });
      try {
        const samples = new Map<string, number[]>(CONTENDERS.map((c) => [c.label, []]));
        let generation = 0;
        for (let run = 0; run < runs; run++) {
          for (const contender of CONTENDERS) {
            const params: IngestParams = { kubeconfig: cluster.kubeconfig, server: cluster.server.url, token: cluster.token, path: '/api/v1/pods', expected: pods, events: count };
            const result = await ingestOnce(ctx, cluster, contender.module, params, ++generation);
            ctx.log(`watch: ${count} events over ${pods} Pods ${contender.label}: ${result.ms.toFixed(0)} ms`);
            samples.get(contender.label)!.push(((result.events - 1) * 1000) / result.ms);
          }
        }
        for (const contender of CONTENDERS) rows.push(row(label(contender.label, pods), 'events/s', samples.get(contender.label)!, count));
      } finally {
        await cluster.close();
      }
    }
    return [section(rows, cases)];
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

/** A contender's row label in a case: plain for the small store, else with the Pods held. */
function label(contender: string, pods: number): string {
  return pods <= SMALL_STORE ? contender : `${contender}, ${pods.toLocaleString('en-US')} Pods held`;
}

function section(rows: Row[], cases: Case[]): Section {
  return {
    id: 'watch',
    title: '2. Watch ingest of M MODIFIED Pod events (events/s, higher is better)',
    rows,
    ratios: cases.flatMap(({ pods, events: m }) => [
      // No goal against client-node: the floor itself is only 1.2–2.6x client-node (docs/BENCHMARKS.md).
      ratio(label('informant ÷ client-node', pods), find(rows, label(INFORMANT, pods), m), find(rows, label(CLIENT_NODE, pods), m)),
      ratio(label('informant ÷ floor', pods), find(rows, label(INFORMANT, pods), m), find(rows, label(FLOOR, pods), m), { op: '>=', target: 0.8 }),
    ]),
    notes: [
      'Rate from the first event applied to the M-th: informant counts store changes (parse, strip, index key, MemoryStore update, freeze), client-node its `update` callbacks, the floor parsed MODIFIED lines.',
      'The runner queues all M events before the server writes any, so each contender reads as fast as it can.',
      `Unless the row says otherwise, the server and every contender's cache hold ${SMALL_STORE.toLocaleString('en-US')} Pods; "Pods held" rows hold that many (the floor holds nothing, as always).`,
    ],
  };
}
