/**
 * Puts the ratios of several benchmark runs side by side (for the spread table in
 * docs/BENCHMARKS.md): `node bench/compare.ts run1.json run2.json ...` prints a Markdown
 * table with one row per ratio, one column per run, the spread ((max − min) / mean), and
 * the verdicts.
 */
import fs from 'node:fs';
import type { Results } from './run.ts';
import type { Ratio } from './support/report.ts';
import { number } from './support/table.ts';

/** One ratio across runs: its value (or undefined where a run lacks it) and verdict per run. */
export interface ComparedRatio {
  section: string;
  label: string;
  size?: number;
  goal?: string;
  values: Array<number | undefined>;
  verdicts: Array<boolean | undefined>;
}

/** Lines up the ratios of `runs` by section, label and size, in the first run's order. */
export function compareRuns(runs: readonly Results[]): ComparedRatio[] {
  const key = (section: string, r: Ratio): string => `${section}\u0000${r.label}\u0000${r.size ?? ''}`;
  const rows = new Map<string, ComparedRatio>();
  runs.forEach((run, i) => {
    for (const section of run.sections) {
      for (const r of section.ratios) {
        const k = key(section.id, r);
        const entry = rows.get(k) ?? {
          section: section.id,
          label: r.label,
          ...(r.size !== undefined ? { size: r.size } : {}),
          ...(r.goal ? { goal: `${r.goal.op === '>=' ? '≥' : '≤'} ${r.goal.target}x` } : {}),
          values: runs.map(() => undefined),
          verdicts: runs.map(() => undefined),
        };
        entry.values[i] = r.value;
        entry.verdicts[i] = r.pass;
        rows.set(k, entry);
      }
    }
  });
  return [...rows.values()];
}

/** The comparison as a Markdown table. */
export function comparisonMarkdown(runs: readonly Results[]): string {
  const head = runs.map((run, i) => `run ${i + 1} (${run.date.slice(0, 16).replace('T', ' ')}, load ${run.machine.load.start.toFixed(1)})`);
  const lines = [`| benchmark | ratio | size | ${head.join(' | ')} | spread | goal | verdicts |`, `|---|---|--:|${runs.map(() => '--:|').join('')}--:|---|---|`];
  for (const row of compareRuns(runs)) {
    const present = row.values.filter((v): v is number => v !== undefined);
    const spread = present.length > 1 ? `${(relativeSpread(present) * 100).toFixed(0)} %` : '';
    const values = row.values.map((v) => (v === undefined ? '–' : `${v.toFixed(2)}x`));
    const verdicts = row.goal ? row.verdicts.map((p) => (p === undefined ? '–' : p ? 'PASS' : 'MISS')).join(' / ') : '';
    lines.push(`| ${row.section} | ${row.label} | ${row.size === undefined ? '' : number(row.size)} | ${values.join(' | ')} | ${spread} | ${row.goal ?? ''} | ${verdicts} |`);
  }
  return lines.join('\n');
}

/** (max − min) / mean: how far apart the runs are, as a fraction. */
export function relativeSpread(values: readonly number[]): number {
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  return (Math.max(...values) - Math.min(...values)) / mean;
}

if (import.meta.main) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('usage: node bench/compare.ts results.json [more results.json ...]');
    process.exit(2);
  }
  const runs = files.map((file) => JSON.parse(fs.readFileSync(file, 'utf8')) as Results);
  console.log(comparisonMarkdown(runs));
}
