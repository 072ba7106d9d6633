/**
 * RetryTimer: schedules another render cycle after a failed one, backing off (doubling)
 * from `initialMs` to `maxMs`, and forgets the backoff after a cycle that went well.
 */
import type { Clock } from './clock.ts';

/** One pending retry at most; the delay doubles per failure up to maxMs. */
export class RetryTimer {
  readonly #clock: Clock;
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #fire: () => void;
  #timer: unknown;
  #delayMs = 0;

  constructor(options: { clock: Clock; initialMs: number; maxMs: number }, fire: () => void) {
    this.#clock = options.clock;
    this.#initialMs = options.initialMs;
    this.#maxMs = options.maxMs;
    this.#fire = fire;
  }

  /** A cycle failed: schedule a retry (unless one is scheduled already), each one waiting twice as long. */
  failed(): void {
    if (this.#timer !== undefined) return;
    this.#delayMs = this.#delayMs === 0 ? this.#initialMs : Math.min(this.#maxMs, this.#delayMs * 2);
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#fire();
    }, this.#delayMs);
  }

  /** A cycle succeeded: drop a scheduled retry and start the backoff over. */
  succeeded(): void {
    this.cancel();
    this.#delayMs = 0;
  }

  cancel(): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
