/**
 * Retry delays: exponential backoff (client-go's reflector backoff, 0.8 s doubling to
 * 30 s, with full jitter; the render loop's retries, 1 s doubling to 60 s, without),
 * optionally reset after a quiet period, plus a slow jittered delay for problems a retry
 * will not fix soon (RBAC, a missing CRD).
 */
import type { Clock } from './clock.ts';

/** Backoff settings, all in milliseconds. */
export interface BackoffSettings {
  /** The ceiling of the first delay. */
  initialMs: number;
  /** The largest ceiling a delay can reach. */
  capMs: number;
  /** After this long without a failure, the next delay starts again from `initialMs`. Default: never (only reset()). */
  resetAfterMs?: number;
  /**
   * How a delay is picked below its ceiling. 'full' (default): uniformly at random, so that
   * many clients failing together do not retry together; 'none': the ceiling itself, for
   * a retry no other client competes with.
   */
  jitter?: 'full' | 'none';
}

/**
 * Exponential backoff: the n-th consecutive failure (from 0) has the ceiling
 * min(cap, initial × 2ⁿ) and waits a uniformly random time in [0, ceiling) (full jitter),
 * or the ceiling itself without jitter. A failure more than `resetAfterMs` after the
 * previous one counts as the first again, so a watch that worked for a while retries fast.
 */
export class Backoff {
  readonly #settings: BackoffSettings;
  readonly #clock: Clock;
  readonly #random: () => number;
  #attempt = 0;
  #lastFailureAt: number | undefined;

  /** `random` (uniform in [0, 1)) is the jitter's source; Math.random by default. */
  constructor(settings: BackoffSettings, clock: Clock, random: () => number = Math.random) {
    this.#settings = settings;
    this.#clock = clock;
    this.#random = random;
  }

  /** Records a failure and returns how long to wait before the next attempt, in ms. */
  next(): number {
    const now = this.#clock.now();
    const { resetAfterMs = Infinity, jitter = 'full' } = this.#settings;
    if (this.#lastFailureAt !== undefined && now - this.#lastFailureAt >= resetAfterMs) this.#attempt = 0;
    this.#lastFailureAt = now;
    const ceiling = this.ceiling();
    this.#attempt++;
    return jitter === 'none' ? ceiling : Math.floor(this.#random() * ceiling);
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
