import type { Clock } from './clock.ts';

/** Timing of a Debouncer. */
export interface DebounceOptions {
  /** Quiet period: fire this long after the last trigger (ms). */
  quietMs: number;
  /** Fire at most this long after the first trigger of a burst, even under constant churn (ms). */
  maxWaitMs: number;
  clock: Clock;
}

/**
 * Calls `fire` once a burst of `trigger()` calls has been quiet for `quietMs`, or once
 * `maxWaitMs` has passed since the first trigger of the burst, whichever comes first.
 * With quietMs 0 it fires on the next timer tick, so triggers in one tick coalesce.
 */
export class Debouncer {
  readonly #options: DebounceOptions;
  readonly #fire: () => void;
  #quietTimer: unknown;
  #maxTimer: unknown;

  constructor(options: DebounceOptions, fire: () => void) {
    this.#options = options;
    this.#fire = fire;
  }

  /** Records a change. */
  trigger(): void {
    const { clock, quietMs, maxWaitMs } = this.#options;
    if (this.#quietTimer !== undefined) clock.clearTimeout(this.#quietTimer);
    this.#quietTimer = clock.setTimeout(() => this.#flush(), quietMs);
    if (this.#maxTimer === undefined && maxWaitMs > quietMs) {
      this.#maxTimer = clock.setTimeout(() => this.#flush(), maxWaitMs);
    }
  }

  /** True while a fire is scheduled. */
  get pending(): boolean {
    return this.#quietTimer !== undefined;
  }

  /** Drops any scheduled fire. */
  cancel(): void {
    const { clock } = this.#options;
    if (this.#quietTimer !== undefined) clock.clearTimeout(this.#quietTimer);
    if (this.#maxTimer !== undefined) clock.clearTimeout(this.#maxTimer);
    this.#quietTimer = undefined;
    this.#maxTimer = undefined;
  }

  #flush(): void {
    this.cancel();
    this.#fire();
  }
}
