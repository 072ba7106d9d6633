/**
 * RetryTimer: schedules a retry after a failure, each one a Backoff's next delay later,
 * and starts the backoff over after a success.
 */
import type { Backoff } from './backoff.ts';
import type { Clock } from './clock.ts';
import { Timers } from './timers.ts';

/** One pending retry at most, `backoff.next()` after the failure that scheduled it. */
export class RetryTimer {
  readonly #backoff: Backoff;
  readonly #timers: Timers;
  readonly #fire: () => void;

  constructor(options: { backoff: Backoff; clock: Clock }, fire: () => void) {
    this.#backoff = options.backoff;
    this.#timers = new Timers(options.clock);
    this.#fire = fire;
  }

  /** Something failed: schedule a retry, unless one is scheduled already. */
  failed(): void {
    if (this.#timers.size > 0) return;
    this.#timers.after(this.#backoff.next(), this.#fire);
  }

  /** Something succeeded: drop a scheduled retry and start the backoff over. */
  succeeded(): void {
    this.cancel();
    this.#backoff.reset();
  }

  /** Drops a scheduled retry; the backoff goes on from where it was. */
  cancel(): void {
    this.#timers.cancelAll();
  }
}
