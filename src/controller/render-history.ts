/**
 * RenderHistory: what the render cycles did, per template: the last result and the last
 * full success (for /readyz, /debug/outputs and metrics), logged once per distinct
 * failure so a template that keeps failing the same way does not flood the log.
 */
import type { Logger } from '../log.ts';
import type { TemplateReport } from '../templates/index.ts';
import type { ControllerMetrics } from './metrics.ts';
import type { RecentRender, RenderOutcome, TemplateState } from './status.ts';

/** Defaults of the render history. */
export const DEFAULTS = Object.freeze({
  /** Render cycles kept for /debug/sync and /debug/ui (renders.recent): a screenful. */
  recentRenders: 20,
});

type History = Pick<TemplateState, 'last' | 'lastSuccessAt' | 'lastOutputAt'>;
type Objects = Pick<TemplateState, 'leftOut' | 'warnings'>;

/** Per-template results of render cycles, recorded in metrics and logged (see the module comment). */
export class RenderHistory {
  readonly #log: Logger;
  readonly #metrics: ControllerMetrics;
  readonly #states = new Map<string, History>();
  readonly #objects = new Map<string, Objects>();
  readonly #loggedFailures = new Map<string, string>();
  /** The last DEFAULTS.recentRenders cycles, newest first. */
  #recent: RecentRender[] = [];

  constructor(logger: Logger, metrics: ControllerMetrics) {
    this.#log = logger;
    this.#metrics = metrics;
  }

  /** Records the outcomes of a cycle that finished at `at` (clock ms), in metrics too. */
  record(outcomes: readonly RenderOutcome[], at: number): void {
    const templates = outcomes.map(({ template, status, stage, error }) => ({ template, status, ...(error ? { stage: stage ?? 'render', error: error.message } : {}) }));
    this.#recent = [{ at, templates }, ...this.#recent.slice(0, DEFAULTS.recentRenders - 1)];
    for (const outcome of outcomes) {
      this.#metrics.outcome(outcome);
      const previous = this.#states.get(outcome.template);
      const last: NonNullable<TemplateState['last']> = { status: outcome.status, at };
      if (outcome.error) {
        if (outcome.stage) last.stage = outcome.stage;
        last.error = outcome.error.message;
      }
      const lastSuccessAt = outcome.error ? previous?.lastSuccessAt : at;
      const lastOutputAt = outcome.status === 'failed' ? previous?.lastOutputAt : at;
      this.#states.set(outcome.template, {
        last,
        ...(lastSuccessAt !== undefined ? { lastSuccessAt } : {}),
        ...(lastOutputAt !== undefined ? { lastOutputAt } : {}),
      });
    }
  }

  /** Records what a successful render left out and warned about (the latest per template); counts new findings. */
  objects(report: TemplateReport): void {
    this.#objects.set(report.template, { leftOut: report.leftOut, warnings: report.warnings });
    this.#metrics.objectReport(report);
  }

  /** Logs a cycle: writes at info, failures at error (repeats of the same failure at debug). */
  log(outcomes: readonly RenderOutcome[]): void {
    for (const outcome of outcomes) this.#logOne(outcome);
  }

  /** The last few cycles, newest first. */
  recent(): RecentRender[] {
    return this.#recent;
  }

  /** The last result and last success of a template, and what its last render left out (empty before its first cycle). */
  of(template: string): History & Objects {
    return { ...this.#states.get(template), ...this.#objects.get(template) };
  }

  #logOne(outcome: RenderOutcome): void {
    const fields = { template: outcome.template, output: outcome.output };
    if (!outcome.error) {
      this.#loggedFailures.delete(outcome.template);
      if (outcome.status === 'written') this.#log.info({ ...fields, ...outcome.files }, `wrote ${describeWrite(outcome)}`);
      else this.#log.debug(fields, 'output unchanged');
      return;
    }
    const message = outcome.error.message;
    const repeated = this.#loggedFailures.get(outcome.template) === message;
    this.#loggedFailures.set(outcome.template, message);
    const kept = outcome.status === 'failed' ? ', keeping the previous output' : '';
    const text = `${outcome.stage ?? 'render'} of "${outcome.template}" failed${kept}: ${message}`;
    if (repeated) {
      this.#log.debug({ ...fields, stage: outcome.stage }, text);
      return;
    }
    // The message says where (file:line:col, the command); the stack is for informant's developers.
    this.#log.error({ ...fields, stage: outcome.stage }, text);
    this.#log.debug({ ...fields, stage: outcome.stage, err: outcome.error }, text);
  }
}

/** What a write did, for the log: the file, or the files of a for_each template. */
function describeWrite(outcome: RenderOutcome): string {
  const files = outcome.files;
  if (files === undefined) return outcome.output;
  const removed = files.removed.length > 0 ? `, removed ${files.removed.length}` : '';
  return `${files.written.length} file(s) in ${outcome.output}${removed} (${files.unchanged} unchanged)`;
}
