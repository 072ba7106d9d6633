/**
 * Waiting in tests for something that arrives asynchronously (a sink event, a file
 * written by a child process): `eventually()` polls a condition, `Waiters` checks one on
 * every notification. A generous timeout turns a hang into a failure naming what was
 * awaited. Nothing here asserts timing.
 */

/** How long a test waits for an expected event before failing, in ms (slow, shared CI machines). */
export const WAIT_TIMEOUT_MS = 30_000;

/** Values a check returns while what it waits for has not happened yet. */
type NotYet = false | 0 | '' | null | undefined;

/** How `eventually` polls. */
export interface EventuallyOptions {
  /** Fail after this long, in ms; default WAIT_TIMEOUT_MS. */
  timeoutMs?: number;
  /**
   * Pause between checks, in ms; default 5. 0 checks again on the next turn of the event
   * loop: for code on a fake clock that only needs its promise chains and I/O to run.
   */
  intervalMs?: number;
}

/**
 * Resolves with the first truthy value `check` returns, checking now and then every
 * `intervalMs`; rejects after `timeoutMs` with an error saying what was awaited (`what`
 * completes "waiting until ...": "the output is written").
 */
export async function eventually<T>(check: () => T | Promise<T>, what: string, options: EventuallyOptions = {}): Promise<Exclude<T, NotYet>> {
  const timeoutMs = options.timeoutMs ?? WAIT_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? 5;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Exclude<T, NotYet>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => (intervalMs === 0 ? setImmediate(resolve) : setTimeout(resolve, intervalMs)));
  }
}

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
