/**
 * Benchmark 4: store operations at 100k objects: exact get, prefix get, and update
 * throughput, informant's MemoryStore against client-node's ListWatch cache (the map a
 * client-node user reads from), each in fresh processes, over the same Pods.
 */
import type { Benchmark, RunContext, Scale } from './support/benchmark.ts';
import { Child } from './support/child.ts';
import { ratio, row, type Ratio, type Row, type Section } from './support/report.ts';
import { OPERATIONS, type StoreParams, type StoreResult } from './contenders/store.ts';

/** Sizes per scale, and fresh processes per contender. */
const SIZES: Readonly<Record<Scale, StoreParams & { runs: number }>> = Object.freeze({
  tiny: { count: 500, gets: 1_000, updates: 100, runs: 1 },
  quick: { count: 20_000, gets: 100_000, updates: 2_000, runs: 1 },
  /** 100k objects; enough operations that each timing spans tens of ms. */
  full: { count: 100_000, gets: 500_000, updates: 5_000, runs: 2 },
});

const CONTENDERS = Object.freeze([
  { label: 'informant', task: 'informant' },
  { label: 'client-node', task: 'clientNode' },
]);

export const benchmark: Benchmark = {
  id: 'store',
  title: 'Store operations',
  async run(ctx: RunContext): Promise<Section[]> {
    const { runs, ...params } = SIZES[ctx.scale];
    const results = new Map<string, StoreResult[]>(CONTENDERS.map((c) => [c.label, []]));
    for (let run = 0; run < runs; run++) {
      for (const contender of CONTENDERS) {
        ctx.log(`store: ${params.count} objects, ${contender.label}`);
        results.get(contender.label)!.push(await Child.run<StoreResult>({ module: 'contenders/store.ts', task: contender.task, params, nodeFlags: ctx.nodeFlags }));
      }
    }
    const rows: Row[] = [];
    const ratios: Ratio[] = [];
    for (const operation of Object.values(OPERATIONS)) {
      const [ours, theirs] = CONTENDERS.map((c) => {
        const samples = results.get(c.label)!.map((r) => r[operation]).filter((v): v is number => v !== undefined);
        return samples.length > 0 ? row(`${operation} — ${c.label}`, 'ops/s', samples, params.count) : undefined;
      });
      for (const r of [ours, theirs]) if (r) rows.push(r);
      if (ours && theirs) ratios.push(ratio(`${operation}: informant ÷ client-node`, ours, theirs));
    }
    const byLabel = (operation: string): Row | undefined => rows.find((r) => r.label === `${operation} — informant`);
    const [ten, one] = [byLabel(OPERATIONS.ingestTenKeys), byLabel(OPERATIONS.ingestOneKey)];
    if (ten && one) ratios.push(ratio('update via indexer: 10 keys ÷ 1 key per object', ten, one));
    return [section(rows, ratios, params)];
  },
};

function section(rows: Row[], ratios: Ratio[], params: StoreParams): Section {
  return {
    id: 'store',
    title: `4. Store operations at ${params.count.toLocaleString('en-US')} Pods (operations/s, higher is better)`,
    rows,
    ratios,
    notes: [
      `100 namespaces of ${(params.count / 100).toLocaleString('en-US')} Pods. informant's get returns arrays sorted by namespace/name and frozen, cached until a change below them (after an in-place update the cached array is patched, not re-sorted); client-node's get returns the live object and list(namespace) an unsorted copy of its map.`,
      'An informant update deep-freezes the new object (the store owns it); "update via indexer" adds stripping and key extraction: the whole per-event work after JSON.parse. client-node\'s update is the handler its watch calls for MODIFIED (map set, callbacks, resourceVersion).',
      'The two "Pods with host aliases" rows feed the same Pods, each with 10 host names of its own (spec.hostAliases), through an indexer into a store of their own: index_by [metadata.namespace, metadata.name] (1 key per object) against [metadata.namespace, spec.hostAliases[*].hostnames[*]] (10 keys per object, each a trie entry; the path goes through jsonpath-plus).',
      'No goal for these: the rows show where informant pays for sorted, frozen, indexed results.',
    ],
  };
}
