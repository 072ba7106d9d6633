/**
 * What a benchmark reports: sections of measured rows and the ratios between contenders
 * measured in the same run, each ratio checked against its goal (see docs/BENCHMARKS.md, Goals).
 */
import { summarize } from './stats.ts';

/** One contender's figure: the median of its samples and their spread. */
export interface Row {
  /** Contender and variant, e.g. "informant (streaming list)". */
  label: string;
  /** The data size the row is for (objects, events...), when the section has several. */
  size?: number;
  /** Unit of median/min/max, e.g. "ms", "events/s", "bytes/object". */
  unit: string;
  median: number;
  min: number;
  max: number;
  samples: number[];
}

/** A goal: the ratio must be at least (`>=`) or at most (`<=`) `target`. */
export interface Goal {
  op: '>=' | '<=';
  target: number;
}

/** A ratio of two rows' medians, e.g. informant's rate over client-node's. */
export interface Ratio {
  label: string;
  size?: number;
  value: number;
  goal?: Goal;
  /** Whether the goal is met; undefined without a goal. */
  pass?: boolean;
}

/** One benchmark's results. */
export interface Section {
  id: string;
  title: string;
  rows: Row[];
  ratios: Ratio[];
  /** What the reader must know to read the figures (method, caveats). */
  notes: string[];
}

/** A row from raw samples. */
export function row(label: string, unit: string, samples: readonly number[], size?: number): Row {
  const { median, min, max } = summarize(samples);
  return { label, ...(size !== undefined ? { size } : {}), unit, median, min, max, samples: [...samples] };
}

/** `numerator.median / denominator.median`, checked against `goal` when given. */
export function ratio(label: string, numerator: Row, denominator: Row, goal?: Goal): Ratio {
  const value = numerator.median / denominator.median;
  const size = numerator.size;
  const checked = goal === undefined ? {} : { goal, pass: goal.op === '>=' ? value >= goal.target : value <= goal.target };
  return { label, ...(size !== undefined ? { size } : {}), value, ...checked };
}

/** The row with `label` (and `size`); throws when the benchmark did not produce it. */
export function find(rows: readonly Row[], label: string, size?: number): Row {
  const found = rows.find((r) => r.label === label && (size === undefined || r.size === size));
  if (!found) throw new Error(`no row "${label}"${size !== undefined ? ` for size ${size}` : ''}`);
  return found;
}
