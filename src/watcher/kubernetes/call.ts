/**
 * One request's lifetime: its AbortController and its inactivity timer. The timer is
 * re-armed on every sign of life (headers, each body chunk); when it fires the request is
 * aborted and its failure reported as an IdleTimeoutError instead of an abort.
 */
import type { Clock } from '../../time/clock.ts';
import type { Timers } from '../../time/timers.ts';
import { IdleTimeoutError } from './errors.ts';

/** A request in flight, abortable by the reflector (stop) or by its own inactivity timer. */
export class Call {
  readonly #controller = new AbortController();
  readonly #timers: Timers;
  readonly #clock: Clock;
  readonly #idleMs: number;
  readonly #describe: string;
  #cancelTimer: (() => void) | undefined;
  #lastActivity: number;
  #timedOut = false;

  /** Starts the inactivity timer; `describe` names the request in the timeout error. */
  constructor(timers: Timers, clock: Clock, idleMs: number, describe: string) {
    this.#timers = timers;
    this.#clock = clock;
    this.#idleMs = idleMs;
    this.#describe = describe;
    this.#lastActivity = clock.now();
    this.#arm(idleMs);
  }

  /** The signal to hand to the HTTP client. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Whether the inactivity timer aborted this call. */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  /** Bytes arrived: the inactivity period starts again (cheap: no timer is touched). */
  touch(): void {
    this.#lastActivity = this.#clock.now();
  }

  /** The call is over: stop its timer (its socket is released by reading or cancelling). */
  finish(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
  }

  /** Aborts the request now. */
  abort(): void {
    this.finish();
    this.#controller.abort();
  }

  /** The error to report for `err` thrown by this call: an IdleTimeoutError if the timer fired. */
  explain(err: unknown): unknown {
    if (!this.#timedOut) return err;
    const message = `no data from the API server for ${this.#idleMs / 1000} s on ${this.#describe}; reconnecting`;
    return new IdleTimeoutError(message, { cause: err });
  }

  #arm(ms: number): void {
    this.#cancelTimer = this.#timers.after(ms, () => this.#check());
  }

  /** The timer fired: abort if nothing arrived since, else wait out the rest of the period. */
  #check(): void {
    const idleFor = this.#clock.now() - this.#lastActivity;
    // Clamped, so a wall clock stepping backwards cannot stretch the period.
    if (idleFor < this.#idleMs) return this.#arm(Math.min(this.#idleMs, this.#idleMs - idleFor));
    this.#timedOut = true;
    this.#cancelTimer = undefined;
    this.#controller.abort();
  }
}
