/**
 * Benchmark 6: end to end. informant's Controller runs in its own process against
 * the benchmark's API server (debounce 0); the runner changes one EndpointSlice on the
 * server and measures, on its own clock, until the output file has been replaced with the
 * change in it (an inotify rename event for the output, then a read that finds the new
 * server line). The changes are sequential, with a short pause so each one meets an idle
 * controller. The goal compares the 99th percentile with the render time of the same run;
 * each latency is also split into before, during and after its render.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Benchmark, RunContext, Scale } from './support/benchmark.ts';
import { Child } from './support/child.ts';
import { generate, startCluster } from './support/cluster.ts';
import { endpointSlice, ingress, ipOf, secret, service } from './support/objects.ts';
import { percentile } from './support/stats.ts';
import { ratio, row, type Row, type Section } from './support/report.ts';
import type { EndToEndParams, EndToEndResult, RenderTiming } from './contenders/controller.ts';
import type { KubeObject } from '../src/k8s.ts';

/** Sizes per scale: Ingress counts (each with a Service and an EndpointSlice), changes measured per count, and unmeasured warm-up changes before them. */
const SIZES: Readonly<Record<Scale, { counts: number[]; changes: number; warmup: number }>> = Object.freeze({
  tiny: { counts: [20], changes: 20, warmup: 2 },
  quick: { counts: [100], changes: 200, warmup: 20 },
  /**
   * 1,000 changes (enough for a 99th percentile), at two sizes: the work outside the render is about
   * constant, so its share shrinks as renders grow; 10k Ingresses (seconds per render) would
   * take an hour for 1,000 changes.
   */
  full: { counts: [100, 500], changes: 1_000, warmup: 50 },
});

const DEFAULTS = Object.freeze({
  /** ms between one change being seen in the output and the next change: the controller is idle again. */
  pauseMs: 20,
  /** ms to wait for one change before the run fails (a safety net, far above any latency). */
  timeoutMs: 60_000,
});

export const benchmark: Benchmark = {
  id: 'e2e',
  title: 'End to end',
  async run(ctx: RunContext): Promise<Section[]> {
    const { counts, changes, warmup } = SIZES[ctx.scale];
    const sections: Section[] = [];
    for (const count of counts) {
      ctx.log(`e2e: ${count} Ingresses, ${warmup} + ${changes} changes`);
      sections.push(await runOnce(ctx, count, changes, warmup));
    }
    return sections;
  },
};

/** One controller process over `count` Ingresses; `warmup` changes, then `changes` measured ones. */
async function runOnce(ctx: RunContext, count: number, changes: number, warmup: number): Promise<Section> {
  const cluster = await startCluster({
    ingresses: generate(count, ingress),
    services: generate(count, service),
    endpointslices: generate(count, endpointSlice),
    secrets: generate(count, secret),
  });
  const params: EndToEndParams = { kubeconfig: cluster.kubeconfig, dir: cluster.dir };
  const child = Child.start({ module: 'contenders/controller.ts', task: 'endToEnd', params, nodeFlags: ctx.nodeFlags });
  try {
    const { output } = (await child.next('ready')) as unknown as { output: string };
    const apply = (obj: KubeObject): void => void cluster.server.update('endpointslices', obj);
    const measured = (await measure(output, warmup + changes, count, apply)).slice(warmup);
    child.send({ type: 'done' });
    const { renders } = await child.result<EndToEndResult>();
    return section(measured, renders, count);
  } finally {
    await child.close();
    await cluster.close();
  }
}

/** Change number `c`: EndpointSlice c mod count with its addresses shifted to version c. */
function changed(c: number, count: number): KubeObject {
  return endpointSlice(c % count, c);
}

/** The output line the change `c` produces: the slice's first endpoint at its new address. */
function marker(c: number, count: number): string {
  const slice = changed(c, count) as unknown as { endpoints: Array<{ targetRef: { name: string } }> };
  const i = c % count;
  return `server ${slice.endpoints[0]!.targetRef.name} ${ipOf(i * 8 + c * 1_000_003)}:8080 check`;
}

/** When one change was made on the server and when the output showed it, in ms since the epoch. */
interface Change {
  changedAt: number;
  seenAt: number;
}

/** ms since the epoch with sub-ms precision, comparable with the contender process's. */
function now(): number {
  return performance.timeOrigin + performance.now();
}

/** Applies `changes` changes one at a time; returns when each was made and seen. */
async function measure(output: string, changes: number, count: number, apply: (obj: KubeObject) => void): Promise<Change[]> {
  const watch = new OutputWatch(output);
  const measured: Change[] = [];
  try {
    for (let c = 1; c <= changes; c++) {
      const seen = watch.until(marker(c, count));
      const changedAt = now();
      apply(changed(c, count));
      measured.push({ changedAt, seenAt: await seen });
      await sleep(DEFAULTS.pauseMs);
    }
  } finally {
    watch.close();
  }
  return measured;
}

/**
 * Watches the output's folder (inotify): `until(text)` resolves with the time of the first
 * event for the output file after which the file contains `text`.
 */
class OutputWatch {
  readonly #file: string;
  readonly #watcher: fs.FSWatcher;
  #waiting: { text: string; resolve: (at: number) => void; reject: (err: Error) => void; timer: NodeJS.Timeout } | undefined;

  constructor(file: string) {
    this.#file = file;
    this.#watcher = fs.watch(path.dirname(file), (_event, name) => {
      if (name === path.basename(file)) this.#check(now());
    });
  }

  until(text: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the output never showed "${text}"`)), DEFAULTS.timeoutMs);
      this.#waiting = { text, resolve, reject, timer };
    });
  }

  close(): void {
    this.#watcher.close();
    if (this.#waiting) clearTimeout(this.#waiting.timer);
  }

  #check(at: number): void {
    const waiting = this.#waiting;
    if (waiting === undefined) return;
    let content: string;
    try {
      content = fs.readFileSync(this.#file, 'utf8');
    } catch {
      return;
    }
    if (!content.includes(waiting.text)) return;
    this.#waiting = undefined;
    clearTimeout(waiting.timer);
    waiting.resolve(at);
  }
}

/**
 * Splits each change's latency at the render that showed it (the first render ending after
 * the change): before it (watch event, reflector, indexer, store, debounce timer), the render
 * itself, and after it (checksum, fsynced write, rename, inotify, the runner's read).
 */
function breakdown(changes: readonly Change[], renders: readonly RenderTiming[]): { before: number[]; render: number[]; after: number[] } {
  const parts = { before: [] as number[], render: [] as number[], after: [] as number[] };
  let r = 0;
  for (const { changedAt, seenAt } of changes) {
    while (r < renders.length && renders[r]!.endedAt < changedAt) r++;
    const shown = renders[r];
    if (shown === undefined || shown.endedAt > seenAt) continue;
    parts.before.push(shown.endedAt - shown.ms - changedAt);
    parts.render.push(shown.ms);
    parts.after.push(seenAt - shown.endedAt);
  }
  return parts;
}

function section(changes: Change[], renders: RenderTiming[], count: number): Section {
  const latencies = changes.map((c) => c.seenAt - c.changedAt);
  const parts = breakdown(changes, renders);
  const perChange = parts.render.map((ms, i) => (parts.before[i]! + ms + parts.after[i]!) / ms);
  const p = (samples: number[], q: number): number[] => [percentile(samples, q)];
  const rows: Row[] = [
    row('end to end, p50', 'ms', p(latencies, 50), count),
    row('end to end, p99', 'ms', p(latencies, 99), count),
    row('render (median of the same run)', 'ms', p(renders.map((r) => r.ms), 50), count),
    row('render, p99', 'ms', p(parts.render, 99), count),
    row('split: change → render starts, p50', 'ms', p(parts.before, 50), count),
    row('split: change → render starts, p99', 'ms', p(parts.before, 99), count),
    row('split: render ends → file replaced and seen, p50', 'ms', p(parts.after, 50), count),
    row('split: render ends → file replaced and seen, p99', 'ms', p(parts.after, 99), count),
  ];
  return {
    id: 'e2e',
    title: `6. End to end at ${count} Ingresses: EndpointSlice changed on the server → output file replaced (ms, ${latencies.length} changes, debounce 0)`,
    rows,
    ratios: [
      ratio('p99 end to end ÷ median render', rows[1]!, rows[2]!, { op: '<=', target: 2 }),
      ratio('p50 end to end ÷ median render', rows[0]!, rows[2]!),
      ratio('p99 end to end ÷ p99 render', rows[1]!, rows[3]!),
      { label: 'p99 over changes of (end to end ÷ its own render)', size: count, value: percentile(perChange, 99) },
    ],
    notes: [
      `${count} Ingresses with their Services, EndpointSlices and TLS Secrets (on demand, all cached), rendered by examples/templates/haproxy.cfg.njk; the render time is the median of the ${renders.length} renders the controller logged during the run. The first changes warm the process up and are not counted.`,
      'The goal is checked strictly (p99 end to end against the median render); the last two ratios show how much of the tail is the render’s own tail (GC pauses and CPU contention hit renders too).',
      'The "split" rows split each latency at the render that showed the change: before it (server write, reflector, indexer, store, debounce timer), the render, and after it (checksum, fsynced write and rename, inotify, the runner\'s read); clocks of both processes are performance.timeOrigin based.',
    ],
  };
}
