/**
 * Time as every stage uses it, on an injected Clock so that tests drive it by hand: one-shot
 * timers cancelled together, a debounce (quiet period plus a maximum wait), exponential
 * backoff, and a retry scheduled on a backoff.
 */
export { systemClock, type Clock } from './clock.ts';
export { Timers } from './timers.ts';
export { Debouncer, type DebounceOptions } from './debouncer.ts';
export { Backoff, jittered, type BackoffSettings } from './backoff.ts';
export { RetryTimer } from './retry-timer.ts';
