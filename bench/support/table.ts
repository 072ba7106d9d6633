/**
 * Results as text: aligned console tables, and the Markdown docs/BENCHMARKS.md keeps.
 */
import type { Ratio, Row, Section } from './report.ts';

/** A section as an aligned plain-text table (rows, then ratios with goals). */
export function sectionText(section: Section): string {
  const rows = section.rows.map((r) => [r.label, size(r), number(r.median), `${number(r.min)}–${number(r.max)}`, String(r.samples.length), r.unit]);
  const ratios = section.ratios.map((r) => [r.label, size(r), times(r.value), goalText(r), verdict(r)]);
  const lines = [section.title, ...align([['contender', 'size', 'median', 'range', 'runs', 'unit'], ...rows]).map((l) => `  ${l}`)];
  if (ratios.length > 0) lines.push('', ...align([['ratio', 'size', 'value', 'goal', ''], ...ratios]).map((l) => `  ${l}`));
  return lines.join('\n');
}

/** A section as Markdown: a heading, a table of rows, a table of ratios, the notes. */
export function sectionMarkdown(section: Section): string {
  const out = [`### ${section.title}`, ''];
  out.push('| contender | size | median | range (min–max) | runs | unit |', '|---|--:|--:|--:|--:|---|');
  for (const r of section.rows) out.push(`| ${r.label} | ${size(r)} | ${number(r.median)} | ${number(r.min)}–${number(r.max)} | ${r.samples.length} | ${r.unit} |`);
  if (section.ratios.length > 0) {
    out.push('', '| ratio | size | value | goal | verdict |', '|---|--:|--:|---|---|');
    for (const r of section.ratios) out.push(`| ${r.label} | ${size(r)} | ${times(r.value)} | ${goalText(r)} | ${verdict(r) || '–'} |`);
  }
  if (section.notes.length > 0) out.push('', ...section.notes.map((note) => `- ${note}`));
  return out.join('\n');
}

/** Every ratio that has a goal, one line each, for the end of a run. */
export function goalsText(sections: readonly Section[]): string {
  const lines: string[] = [];
  for (const section of sections) {
    for (const r of section.ratios) {
      if (r.goal) lines.push(`  ${verdict(r).padEnd(4)}  ${section.id}: ${r.label}${r.size !== undefined ? ` (${size(r)})` : ''} = ${times(r.value)} (goal ${goalText(r)})`);
    }
  }
  return lines.join('\n');
}

/** A figure with thousands separators and a sensible number of decimals. */
export function number(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function times(value: number): string {
  return `${value.toFixed(2)}x`;
}

/** Sizes are counts (objects, renderers): whole numbers, never decimals. */
function size(r: Row | Ratio): string {
  return r.size === undefined ? '' : r.size.toLocaleString('en-US', { maximumFractionDigits: 0 });
}

function goalText(r: Ratio): string {
  return r.goal ? `${r.goal.op === '>=' ? '≥' : '≤'} ${r.goal.target}x` : '';
}

function verdict(r: Ratio): string {
  return r.pass === undefined ? '' : r.pass ? 'PASS' : 'MISS';
}

/** Pads every column to its widest cell (numbers right-aligned). */
function align(table: string[][]): string[] {
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => (r[c] ?? '').length)));
  return table.map((r) =>
    r.map((cell, c) => (/^[\d,.–x-]+$/.test(cell) && c > 0 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd(),
  );
}
