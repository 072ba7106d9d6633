/**
 * Debouncer: runs an action once a burst of pokes has gone quiet, and at least every
 * `maxWaitMs` while pokes keep coming. Timers are injected so tests drive time by hand.
 */

/** The timer functions the debouncer uses; the global ones by default. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** setTimeout/clearTimeout of the process. */
export const SYSTEM_TIMERS: Timers = Object.freeze({
  setTimeout: (callback: () => void, ms: number): unknown => setTimeout(callback, ms),
  clearTimeout: (handle: unknown): void => clearTimeout(handle as NodeJS.Timeout),
});

export interface DebouncerOptions {
  /** Quiet period after the last poke, in ms. */
  quietMs: number;
  /** Longest delay between the first poke of a burst and the action, in ms. */
  maxWaitMs: number;
  /** Called (synchronously, from a timer) when the burst is over. */
  action: () => void;
  timers?: Timers;
}

/** Coalesces pokes into one action per burst. */
export class Debouncer {
  readonly #options: DebouncerOptions;
  readonly #timers: Timers;
  #quiet: unknown;
  #deadline: unknown;

  constructor(options: DebouncerOptions) {
    this.#options = options;
    this.#timers = options.timers ?? SYSTEM_TIMERS;
  }

  /** True while an action is scheduled. */
  get pending(): boolean {
    return this.#quiet !== undefined;
  }

  /** Notes activity: (re)starts the quiet period; starts the max-wait clock on the first poke of a burst. */
  poke(): void {
    if (this.#quiet !== undefined) this.#timers.clearTimeout(this.#quiet);
    this.#quiet = this.#timers.setTimeout(() => this.#fire(), this.#options.quietMs);
    this.#deadline ??= this.#timers.setTimeout(() => this.#fire(), this.#options.maxWaitMs);
  }

  /** Drops a scheduled action and clears every timer. */
  cancel(): void {
    if (this.#quiet !== undefined) this.#timers.clearTimeout(this.#quiet);
    if (this.#deadline !== undefined) this.#timers.clearTimeout(this.#deadline);
    this.#quiet = undefined;
    this.#deadline = undefined;
  }

  #fire(): void {
    this.cancel();
    this.#options.action();
  }
}
