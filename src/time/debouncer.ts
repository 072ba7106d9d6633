/**
 * Debouncer: one action per burst of triggers, run once the burst has gone quiet and at
 * the latest a maximum wait after it began, on an injected Clock.
 */
import type { Clock } from './clock.ts';

/** Timing of a Debouncer. */
export interface DebounceOptions {
  /** Quiet period: fire this long after the last trigger (ms). */
  quietMs: number;
  /**
   * Fire at most this long after the first trigger of a burst, even under constant churn
   * (ms). Not above quietMs, it wins over the quiet period: the burst fires this long
   * after its first trigger, however many follow.
   */
  maxWaitMs: number;
  clock: Clock;
}

/**
 * Calls `fire` once a burst of `trigger()` calls has been quiet for `quietMs`, or once
 * `maxWaitMs` has passed since the first trigger of the burst, whichever comes first; the
 * next trigger starts a new burst. `fire` runs synchronously from a timer, after every
 * timer of the burst is cleared. With quietMs 0 it fires on the next timer tick, so
 * triggers in one tick coalesce.
 */
export class Debouncer {
  readonly #options: DebounceOptions;
  readonly #fire: () => void;
  #quietTimer: unknown;
  #deadlineTimer: unknown;

  constructor(options: DebounceOptions, fire: () => void) {
    this.#options = options;
    this.#fire = fire;
  }

  /** Records a change: (re)starts the quiet period; the first trigger of a burst also starts the max wait. */
  trigger(): void {
    const { clock, quietMs, maxWaitMs } = this.#options;
    if (this.#quietTimer !== undefined) clock.clearTimeout(this.#quietTimer);
    this.#quietTimer = clock.setTimeout(() => this.#flush(), quietMs);
    this.#deadlineTimer ??= clock.setTimeout(() => this.#flush(), maxWaitMs);
  }

  /** True while a fire is scheduled. */
  get pending(): boolean {
    return this.#quietTimer !== undefined;
  }

  /** Drops any scheduled fire and clears every timer. */
  cancel(): void {
    const { clock } = this.#options;
    if (this.#quietTimer !== undefined) clock.clearTimeout(this.#quietTimer);
    if (this.#deadlineTimer !== undefined) clock.clearTimeout(this.#deadlineTimer);
    this.#quietTimer = undefined;
    this.#deadlineTimer = undefined;
  }

  #flush(): void {
    this.cancel();
    this.#fire();
  }
}
