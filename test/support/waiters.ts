/**
 * Waiting in tests for something that arrives asynchronously (a sink event, a watch
 * call): a condition is checked on every notification, and a generous timeout turns a
 * hang into a failure naming what was awaited. Nothing here asserts timing.
 */

/** How long a test waits for an expected event before failing, in ms (slow CI machines). */
export const WAIT_TIMEOUT_MS = 15_000;

/** Checks each pending condition on every `notify()`; `until` rejects after `timeoutMs`. */
export class Waiters {
  readonly #timeoutMs: number;
  #waiting: Array<() => void> = [];

  constructor(timeoutMs: number = WAIT_TIMEOUT_MS) {
    this.#timeoutMs = timeoutMs;
  }

  /** Something changed: checks every pending condition. */
  notify(): void {
    for (const check of [...this.#waiting]) check();
  }

  /** Resolves once `condition` holds (checked now and on every notify). */
  until(condition: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting = this.#waiting.filter((c) => c !== check);
        reject(new Error(`timed out waiting for ${what}`));
      }, this.#timeoutMs);
      const check = (): void => {
        if (!condition()) return;
        clearTimeout(timer);
        this.#waiting = this.#waiting.filter((c) => c !== check);
        resolve();
      };
      this.#waiting.push(check);
      check();
    });
  }
}
