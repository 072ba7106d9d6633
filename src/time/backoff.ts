/**
 * Retry delays: exponential backoff with full jitter (client-go's reflector backoff,
 * 0.8 s doubling to 30 s), reset after a quiet period, plus a slow jittered delay for
 * problems a retry will not fix soon (RBAC, a missing CRD).
 */
import type { Clock } from './clock.ts';

/** Backoff settings, all in milliseconds. */
export interface BackoffSettings {
  /** The ceiling of the first delay. */
  initialMs: number;
  /** The largest ceiling a delay can reach. */
  capMs: number;
  /** After this long without a failure, the next delay starts again from `initialMs`. */
  resetAfterMs: number;
}

/**
 * Exponential backoff with full jitter: the n-th consecutive failure waits a uniformly
 * random time in [0, min(cap, initial × 2ⁿ)). A failure more than `resetAfterMs` after the
 * previous one counts as the first again, so a watch that worked for a while retries fast.
 */
export class Backoff {
  readonly #settings: BackoffSettings;
  readonly #clock: Clock;
  readonly #random: () => number;
  #attempt = 0;
  #lastFailureAt: number | undefined;

  constructor(settings: BackoffSettings, clock: Clock, random: () => number) {
    this.#settings = settings;
    this.#clock = clock;
    this.#random = random;
  }

  /** Records a failure and returns how long to wait before the next attempt, in ms. */
  next(): number {
    const now = this.#clock.now();
    if (this.#lastFailureAt !== undefined && now - this.#lastFailureAt >= this.#settings.resetAfterMs) {
      this.#attempt = 0;
    }
    this.#lastFailureAt = now;
    const ceiling = this.ceiling();
    this.#attempt++;
    return Math.floor(this.#random() * ceiling);
  }

  /** The upper bound of the delay the next failure would get (ignoring a reset). */
  ceiling(): number {
    const { initialMs, capMs } = this.#settings;
    return Math.min(capMs, initialMs * 2 ** Math.min(this.#attempt, 52));
  }

  /** How many consecutive failures have been counted since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** Forgets past failures. */
  reset(): void {
    this.#attempt = 0;
    this.#lastFailureAt = undefined;
  }
}

/** `ms` stretched by a random factor in [1, 1 + jitter): spreads slow retries apart. */
export function jittered(ms: number, jitter: number, random: () => number): number {
  return Math.floor(ms * (1 + jitter * random()));
}
