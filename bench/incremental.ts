/**
 * Benchmark 10: incremental rendering. At 1k and 10k Ingresses (with their Services,
 * EndpointSlices and TLS Secrets), one EndpointSlice changes and the example haproxy.cfg is
 * rendered and written again: the time from the change to the output rendered, and to
 * the output replaced (written and fsynced), p50 and p99, with render.memo on (the example's `{% memo %}` blocks reuse what did not change)
 * against render.memo off (everything rendered again, as without memo blocks), each in a
 * fresh process, checked to produce the same output (see contenders/incremental.ts).
 */
import type { Benchmark, RunContext, Scale } from './support/benchmark.ts';
import { Child } from './support/child.ts';
import { ratio, row, type Row, type Section } from './support/report.ts';
import { percentile } from './support/stats.ts';
import type { IncrementalParams, IncrementalResult } from './contenders/incremental.ts';

/** Per scale: the sizes, and per size the warm-up and timed changes of each contender. */
type Timing = Omit<IncrementalParams, 'count' | 'total'>;

const SIZES: Readonly<Record<Scale, ReadonlyArray<{ count: number; incremental: Timing; full: Timing }>>> = Object.freeze({
  tiny: [{ count: 30, incremental: { warmup: 1, changes: 3 }, full: { warmup: 1, changes: 3 } }],
  quick: [{ count: 1_000, incremental: { warmup: 3, changes: 40 }, full: { warmup: 3, changes: 20 } }],
  full: [
    { count: 1_000, incremental: { warmup: 5, changes: 100 }, full: { warmup: 5, changes: 100 } },
    // A full render at 10k takes over a second: 25 of them, against 100 incremental ones.
    { count: 10_000, incremental: { warmup: 5, changes: 100 }, full: { warmup: 2, changes: 25 } },
  ],
});

/** Goals of p99(memo on) ÷ p99(memo off), per size (docs/BENCHMARKS.md, Goals). */
const GOALS: Readonly<Record<number, number>> = Object.freeze({ 1_000: 0.25, 10_000: 0.1 });

const ON = 'render.memo on (incremental)';
const OFF = 'render.memo off (everything rendered)';

export const benchmark: Benchmark = {
  id: 'incremental',
  title: 'Incremental rendering',
  async run(ctx: RunContext): Promise<Section[]> {
    const rows: Row[] = [];
    const ratios = [];
    const held: string[] = [];
    for (const size of SIZES[ctx.scale]) {
      const results: Record<'incremental' | 'full', IncrementalResult> = {} as never;
      for (const task of ['incremental', 'full'] as const) {
        ctx.log(`incremental: ${size.count} Ingresses, ${task}`);
        results[task] = await Child.run<IncrementalResult>({ module: 'contenders/incremental.ts', task, params: { count: size.count, total: Math.max(...(['incremental', 'full'] as const).map((t) => size[t].warmup + size[t].changes)), ...size[task] }, nodeFlags: ctx.nodeFlags });
      }
      if (results.incremental.sha256 !== results.full.sha256) throw new Error(`incremental: at ${size.count} Ingresses render.memo on and off rendered different outputs`);
      for (const [what, samples] of [['rendered', (r: IncrementalResult) => r.renderedMs], ['replaced', (r: IncrementalResult) => r.replacedMs]] as const) {
        const p50 = (label: string, r: IncrementalResult): Row => row(`${label}, ${what}, p50`, 'ms', samples(r), size.count);
        const p99 = (label: string, r: IncrementalResult): Row => ({ ...row(`${label}, ${what}, p99`, 'ms', samples(r), size.count), median: percentile(samples(r), 99) });
        const [onP50, offP50, onP99, offP99] = [p50(ON, results.incremental), p50(OFF, results.full), p99(ON, results.incremental), p99(OFF, results.full)];
        rows.push(onP50, onP99, offP50, offP99);
        ratios.push(ratio(`${what}: memo on ÷ memo off, p50`, onP50, offP50));
        const goal = GOALS[size.count];
        ratios.push(ratio(`${what}: memo on ÷ memo off, p99`, onP99, offP99, goal === undefined ? undefined : { op: '<=', target: goal }));
      }
      const memo = results.incremental.memo;
      if (memo !== undefined) held.push(`${size.count}: ${memo.entries} results, ${(memo.bytes / 2 ** 20).toFixed(1)} MiB (estimated)`);
    }
    return [{
      id: 'incremental',
      title: '10. Incremental rendering: one EndpointSlice changes → haproxy.cfg replaced (ms, lower is better)',
      rows,
      ratios,
      notes: [
        "examples/templates/haproxy.cfg.njk over N Ingresses + Services + EndpointSlices + TLS Secrets in MemoryStores. Each sample: one EndpointSlice updated (a different one each time, spread over the cluster), then the template rendered (`rendered`) and the output written as the controller writes it (`replaced`: a temporary file written and fsynced in os.tmpdir(), renamed over the output, the folder fsynced); after one untimed first render and a few untimed changes. Rows named p99 show the 99th percentile (nearest rank) in the median column; min and max are of all samples. Both contenders' last outputs are identical.",
        'The write is the same for both contenders (the output is 1.5 MB at 1k, 15 MB at 10k); on a disk shared with other work its fsync can take longer than an incremental render, so `replaced` ratios also measure the disk.',
        'render.memo off renders every block every time: what a template without memo blocks costs (the Render benchmark, 5, measures that template against bare nunjucks).',
        `The memo caches at the end: ${held.join('; ')}.`,
      ],
    }];
  },
};
