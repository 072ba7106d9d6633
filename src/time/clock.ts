/**
 * Time as every stage sees it: injected so that backoff, debounce and timeouts are driven
 * by a fake clock in tests; production uses the system clock.
 */

/** Current time and one-shot timers. Handles are opaque to the caller. */
export interface Clock {
  /** Milliseconds since some fixed origin (only differences are used). */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds; returns a handle for clearTimeout. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer; unknown or already fired handles are ignored. */
  clearTimeout(handle: unknown): void;
}

/** The process clock: Date.now and the global timers. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (fn: () => void, ms: number): unknown => setTimeout(fn, ms),
  clearTimeout: (handle: unknown): void => clearTimeout(handle as NodeJS.Timeout),
});
