/**
 * The shape every benchmark file exports, and the context the runner hands it.
 */
import type { Section } from './report.ts';

/** How big a run is: `tiny` for the smoke test, `quick` for `--quick`, `full` for the table. */
export type Scale = 'tiny' | 'quick' | 'full';

export interface RunContext {
  scale: Scale;
  /** Extra node flags for every contender process (e.g. --cpu-prof); default none. */
  nodeFlags?: readonly string[];
  /** Progress lines for the console (not part of the results). */
  log(message: string): void;
}

/** One benchmark: runs its contenders (each in child processes) and reports sections. */
export interface Benchmark {
  /** Short name, used by `--only`. */
  id: string;
  /** The heading of its table: its number in docs/BENCHMARKS.md and what it measures. */
  title: string;
  run(ctx: RunContext): Promise<Section[]>;
}
