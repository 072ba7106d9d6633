/**
 * Benchmark 3b: the heap of 10k Secrets of 4 KB with `store: on-demand` against
 * `store: full`. The measurement itself is on-demand-heap.ts's (the stores filled through an Indexer, the on-demand cache filled to max_cache_size); this
 * file runs its two tasks in fresh processes, repeated, and reports them with the others.
 */
import type { Benchmark, RunContext, Scale } from './support/benchmark.ts';
import { Child } from './support/child.ts';
import { ratio, row, type Section } from './support/report.ts';
import { DEFAULTS as ON_DEMAND, type HeapReading, type OnDemandHeapParams } from './on-demand-heap.ts';

/** Sizes per scale, and fresh processes per store type. */
const SIZES: Readonly<Record<Scale, Required<OnDemandHeapParams> & { runs: number }>> = Object.freeze({
  tiny: { count: 300, maxCacheSize: 20, runs: 1 },
  quick: { count: 10_000, maxCacheSize: ON_DEMAND.maxCacheSize, runs: 1 },
  full: { count: 10_000, maxCacheSize: ON_DEMAND.maxCacheSize, runs: 3 },
});

const FULL = 'store: full (MemoryStore)';
const ON_DEMAND_LABEL = 'store: on-demand (CachedStore, cache full)';

export const benchmark: Benchmark = {
  id: 'on-demand',
  title: 'On-demand heap',
  async run(ctx: RunContext): Promise<Section[]> {
    const { runs, ...params } = SIZES[ctx.scale];
    const samples = { full: [] as number[], onDemand: [] as number[] };
    for (let run = 0; run < runs; run++) {
      for (const task of ['full', 'onDemand'] as const) {
        ctx.log(`on-demand: ${params.count} Secrets, ${task}`);
        const reading = await Child.run<HeapReading>({ module: 'on-demand-heap.ts', task, params, nodeFlags: ctx.nodeFlags });
        samples[task].push(reading.bytesPerObject);
      }
    }
    const full = row(FULL, 'bytes/object', samples.full, params.count);
    const onDemand = row(ON_DEMAND_LABEL, 'bytes/object', samples.onDemand, params.count);
    return [{
      id: 'on-demand',
      title: '3b. Heap of N Secrets of 4 KB: on-demand against full (bytes/object, lower is better)',
      rows: [full, onDemand],
      ratios: [ratio('on-demand ÷ full', onDemand, full, { op: '<=', target: ON_DEMAND.goalRatio })],
      notes: [
        `bench/on-demand-heap.ts: both stores filled through an Indexer with the default remove_fields; the on-demand store holds metadata-only references plus ${params.maxCacheSize} cached bodies (max_cache_size), fetched from their JSON text. The reflector's bookkeeping, equal for both, is not counted.`,
      ],
    }];
  },
};
