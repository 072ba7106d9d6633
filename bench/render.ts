/**
 * Benchmark 5: rendering the example haproxy.cfg template over N Ingresses with
 * their Services, EndpointSlices and TLS Secrets: informant's renderer over MemoryStores
 * against bare nunjucks over plain arrays (see contenders/render.ts), each in a fresh
 * process, checked to produce the same output; and informant with `escape: none`, which
 * shows what the line check of printed values costs.
 */
import type { Benchmark, RunContext, Scale } from './support/benchmark.ts';
import { Child } from './support/child.ts';
import { ratio, row, type Section } from './support/report.ts';
import type { RenderParams, RenderResult } from './contenders/render.ts';

/** Sizes per scale: Ingresses, timed renders per process, processes per contender. */
const SIZES: Readonly<Record<Scale, RenderParams & { runs: number }>> = Object.freeze({
  tiny: { count: 30, renders: 2, runs: 1 },
  quick: { count: 2_000, renders: 3, runs: 1 },
  /** 10k Ingresses (each render writes ~15 MB). */
  full: { count: 10_000, renders: 5, runs: 2 },
});

const INFORMANT = 'informant renderer (MemoryStores, resources view)';
const UNCHECKED = 'informant renderer, escape: none (no line check)';
const BARE = 'bare nunjucks (plain arrays)';

export const benchmark: Benchmark = {
  id: 'render',
  title: 'Render',
  async run(ctx: RunContext): Promise<Section[]> {
    const { runs, ...params } = SIZES[ctx.scale];
    const samples = { informant: [] as number[], informantUnchecked: [] as number[], bare: [] as number[] };
    const digests = new Set<string>();
    let chars = 0;
    for (let run = 0; run < runs; run++) {
      for (const task of ['informant', 'informantUnchecked', 'bare'] as const) {
        ctx.log(`render: ${params.count} Ingresses, ${task}`);
        const result = await Child.run<RenderResult>({ module: 'contenders/render.ts', task, params, nodeFlags: ctx.nodeFlags });
        samples[task].push(...result.ms);
        digests.add(result.sha256);
        chars = result.chars;
      }
    }
    if (digests.size !== 1) throw new Error(`render: informant and bare nunjucks rendered different outputs (${digests.size} digests)`);
    const ours = row(INFORMANT, 'ms', samples.informant, params.count);
    const unchecked = row(UNCHECKED, 'ms', samples.informantUnchecked, params.count);
    const bare = row(BARE, 'ms', samples.bare, params.count);
    return [{
      id: 'render',
      title: `5. Render haproxy.cfg over N Ingresses + Services + EndpointSlices + Secrets (ms per render, lower is better)`,
      rows: [ours, unchecked, bare],
      ratios: [
        ratio('informant ÷ bare nunjucks', ours, bare, { op: '<=', target: 1.3 }),
        ratio('escape: line ÷ escape: none (the line check)', ours, unchecked),
      ],
      notes: [
        `examples/templates/haproxy.cfg.njk; identical output of ${(chars / 1e6).toFixed(1)} MB from all three. One EndpointSlice changes before every timed render (the controller renders only after a change), after one untimed warm-up render.`,
        "informant's render includes rebuilding the changed resource's view (a copy of the store's sorted list), its error-location machinery (src/templates/nunjucks/) and, with escape: line (the default), the line check of every printed value; bare nunjucks uses stock nunjucks, Map lookups and plain versions of the validating filters (the same character checks, failing instead of leaving an object out).",
      ],
    }];
  },
};
