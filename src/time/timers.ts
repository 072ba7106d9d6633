/**
 * Timers: a set of one-shot timers on an injected Clock that can all be cancelled at
 * once, so a loop that stops leaves nothing scheduled.
 */
import type { Clock } from './clock.ts';

/**
 * A set of pending timers on one clock that can all be cancelled at once. `sleep`
 * resolves after `ms`, or early (with `false`) when `cancelAll` runs.
 */
export class Timers {
  readonly #clock: Clock;
  readonly #pending = new Map<unknown, () => void>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Runs `fn` after `ms` unless cancelled; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void {
    const handle = this.#clock.setTimeout(() => {
      this.#pending.delete(handle);
      fn();
    }, ms);
    const cancel = (): void => {
      if (this.#pending.delete(handle)) this.#clock.clearTimeout(handle);
    };
    this.#pending.set(handle, () => this.#clock.clearTimeout(handle));
    return cancel;
  }

  /** Resolves `true` after `ms`, or `false` as soon as cancelAll is called. */
  sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const handle = this.#clock.setTimeout(() => {
        this.#pending.delete(handle);
        resolve(true);
      }, ms);
      this.#pending.set(handle, () => {
        this.#clock.clearTimeout(handle);
        resolve(false);
      });
    });
  }

  /** Cancels every pending timer; pending sleeps resolve `false`. */
  cancelAll(): void {
    const cancels = [...this.#pending.values()];
    this.#pending.clear();
    for (const cancel of cancels) cancel();
  }

  /** How many timers are pending. */
  get size(): number {
    return this.#pending.size;
  }
}
