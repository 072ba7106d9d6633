/**
 * The incremental-rendering contenders: the example haproxy.cfg over N Ingresses (each
 * with its Service, EndpointSlice and TLS Secret, as contenders/render.ts builds them), in
 * informant's stores, where one EndpointSlice changes at a time and each change is carried
 * to the output: render, then write the file atomically (a temporary file renamed over
 * it), as the controller replaces an output.
 * - `incremental`: render.memo on (the default): the example's `{% memo %}` blocks reuse
 *   what the change did not touch.
 * - `full`: render.memo off: every block renders every time, as a template without memo
 *   blocks does.
 * Both apply the same changes in the same order, so their last outputs must be identical.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { endpointSlice } from '../support/objects.ts';
import { exampleStores } from './render.ts';

export interface IncrementalParams {
  /** Ingresses (and as many Services, EndpointSlices and Secrets). */
  count: number;
  /** Changes applied and rendered before timing starts (the first render is always untimed). */
  warmup: number;
  /** Timed changes. */
  changes: number;
  /**
   * Changes in all: the first `total - warmup - changes` are applied before the first
   * render, so contenders timing fewer changes still end in the same state.
   */
  total: number;
}

export interface IncrementalResult {
  /** Time from each EndpointSlice change to its output rendered, in ms. */
  renderedMs: number[];
  /** Time from each EndpointSlice change to its output replaced (rendered, written, fsynced, renamed), in ms. */
  replacedMs: number[];
  /** sha256 of the last output, to check both contenders rendered the same text. */
  sha256: string;
  /** What the memo caches held at the end (incremental only). */
  memo?: { entries: number; bytes: number; hits: number; misses: number };
}

const TEMPLATE = 'haproxy.cfg';

export async function incremental(params: IncrementalParams): Promise<IncrementalResult> {
  return run(params, true);
}

export async function full(params: IncrementalParams): Promise<IncrementalResult> {
  return run(params, false);
}

async function run(params: IncrementalParams, memo: boolean): Promise<IncrementalResult> {
  const { createRenderer } = await import('../../src/templates/index.ts');
  const { writeFileAtomic } = await import('../../src/output/atomic-file.ts');
  const { config, stores, indexers } = await exampleStores(params.count);
  const templates = config.templates.filter((t) => t.name === TEMPLATE);
  const renderer = createRenderer({ templates, stores, baseDir: config.baseDir, memo: { enabled: memo } });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'informant-bench-incremental-'));
  const output = path.join(dir, 'haproxy.cfg');
  // A different slice each time, spread over the whole cluster, each a new version.
  const change = (n: number): void => indexers.get('endpointslices')!.update(endpointSlice((n * 7919) % params.count, n));
  const skipped = params.total - params.warmup - params.changes;
  for (let n = 1; n <= skipped; n++) change(n);
  try {
    let text = await renderer.render(TEMPLATE);
    await writeFileAtomic(output, text, 0o644);
    const renderedMs: number[] = [];
    const replacedMs: number[] = [];
    for (let n = skipped + 1; n <= params.total; n++) {
      change(n);
      const started = performance.now();
      text = await renderer.render(TEMPLATE);
      const rendered = performance.now();
      await writeFileAtomic(output, text, 0o644);
      if (n <= skipped + params.warmup) continue;
      renderedMs.push(rendered - started);
      replacedMs.push(performance.now() - started);
    }
    const stats = renderer.memoStats()[0];
    return {
      renderedMs,
      replacedMs,
      sha256: createHash('sha256').update(text).digest('hex'),
      ...(stats !== undefined ? { memo: { entries: stats.entries, bytes: stats.bytes, hits: stats.hits, misses: stats.misses } } : {}),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
