/**
 * The benchmark runner: `npm run bench` (full) or `npm run bench -- --quick` (under two
 * minutes). Runs each benchmark, whose contenders run in fresh child processes
 * against a test API server on loopback, prints a table per benchmark and a summary of the
 * goals, and writes bench/results.json. See docs/BENCHMARKS.md.
 *
 *   node --expose-gc bench/run.ts [--quick] [--only sync,watch,on-demand,store,render,e2e,fanout,kcp,incremental]
 *                                 [--out FILE] [--markdown] [--profile DIR] [--node-flag FLAG]...
 *
 * --markdown also prints the tables as Markdown (for docs/BENCHMARKS.md); --profile DIR
 * runs every contender with --cpu-prof, writing .cpuprofile files into DIR; --node-flag
 * passes a flag to every contender process (e.g. --node-flag=--max-semi-space-size=32).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchmark as endToEnd } from './end-to-end.ts';
import { benchmark as fanout } from './fanout.ts';
import { benchmark as incremental } from './incremental.ts';
import { benchmark as kcp } from './kcp.ts';
import { benchmark as sync } from './initial-sync.ts';
import { benchmark as onDemand } from './on-demand.ts';
import { benchmark as render } from './render.ts';
import { benchmark as store } from './store-ops.ts';
import type { Benchmark, RunContext, Scale } from './support/benchmark.ts';
import { benchmark as watch } from './watch-ingest.ts';
import { describeMachine, loadNow, machineLine, type Machine } from './support/machine.ts';
import type { Section } from './support/report.ts';
import { goalsText, sectionMarkdown, sectionText } from './support/table.ts';

/** What bench/results.json holds. */
export interface Results {
  date: string;
  scale: Scale;
  /** Extra flags every contender process ran with (none for the published figures). */
  nodeFlags: string[];
  machine: Machine;
  durationMs: number;
  sections: Section[];
}

const DEFAULTS = Object.freeze({
  out: path.join(import.meta.dirname, 'results.json'),
});

/** Every benchmark, numbered as in docs/BENCHMARKS.md (3, the heap per object, is reported by `sync`), then the fan-out (8), kcp (9) and incremental rendering (10). */
export const BENCHMARKS: readonly Benchmark[] = Object.freeze([sync, watch, onDemand, store, render, endToEnd, fanout, kcp, incremental]);

/** Runs `benchmarks` at `scale`, reporting each section as it completes. */
export async function runBenchmarks(benchmarks: readonly Benchmark[], ctx: RunContext, onSection: (s: Section) => void): Promise<Section[]> {
  const sections: Section[] = [];
  for (const benchmark of benchmarks) {
    for (const section of await benchmark.run(ctx)) {
      sections.push(section);
      onSection(section);
    }
  }
  return sections;
}

interface Options {
  scale: Scale;
  benchmarks: readonly Benchmark[];
  nodeFlags: string[];
  out: string;
  markdown: boolean;
}

/** The command line, checked: unknown options and unknown benchmark ids are errors. */
function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string', default: DEFAULTS.out },
      markdown: { type: 'boolean', default: false },
      profile: { type: 'string' },
      'node-flag': { type: 'string', multiple: true, default: [] },
    },
  });
  const only = values.only?.split(',').map((id) => id.trim());
  const unknown = only?.filter((id) => !BENCHMARKS.some((b) => b.id === id)) ?? [];
  if (unknown.length > 0) {
    throw new Error(`--only: unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.id).join(', ')}`);
  }
  const profiling = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(values.profile)}`] : [];
  return {
    scale: values.quick ? 'quick' : 'full',
    benchmarks: only ? BENCHMARKS.filter((b) => only.includes(b.id)) : BENCHMARKS,
    nodeFlags: [...profiling, ...values['node-flag']],
    out: values.out,
    markdown: values.markdown,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = describeMachine();
  const started = Date.now();
  const flags = options.nodeFlags.length > 0 ? `, contender flags ${options.nodeFlags.join(' ')}` : '';
  console.log(`informant benchmarks (${options.scale}) on ${machineLine(machine)}${flags}\n`);
  const ctx: RunContext = { scale: options.scale, nodeFlags: options.nodeFlags, log: (message) => process.stderr.write(`  … ${message}\n`) };
  const sections = await runBenchmarks(options.benchmarks, ctx, (section) => console.log(`${sectionText(section)}\n`));
  machine.load.end = loadNow();
  const results: Results = {
    date: new Date(started).toISOString(),
    scale: options.scale,
    nodeFlags: options.nodeFlags,
    machine,
    durationMs: Date.now() - started,
    sections,
  };
  fs.writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`Goals:\n${goalsText(sections)}\n`);
  console.log(`${(results.durationMs / 1000).toFixed(0)} s; ${machineLine(machine)}; results in ${path.relative(process.cwd(), options.out)}`);
  if (options.markdown) console.log(`\n${sections.map(sectionMarkdown).join('\n\n')}`);
}

if (import.meta.main) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  });
}
