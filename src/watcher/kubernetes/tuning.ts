/**
 * Every timing and sizing knob of the Kubernetes source, with its default, unit and
 * reason, in one place. Tests pass smaller values through `KubernetesSourceOptions.tuning`.
 */

/** The reflector's knobs (all durations in milliseconds unless the name says otherwise). */
export interface Tuning {
  /** LIST page size (`limit`). */
  pageSize: number;
  /** Ceiling of the first retry delay after a transient failure (network, 429, 5xx, stall). */
  backoffInitialMs: number;
  /** Largest retry delay ceiling; delays are uniformly random below it (full jitter). */
  backoffCapMs: number;
  /** A failure this long after the previous one restarts the backoff from the initial delay. */
  backoffResetAfterMs: number;
  /** Delay between retries of problems that need a human (401, 403, 404, unknown kind). */
  problemRetryMs: number;
  /** Extra random fraction added to problemRetryMs (0.2 → 30–36 s). */
  problemRetryJitter: number;
  /** Most a Retry-After header can make us wait. */
  maxRetryAfterMs: number;
  /** No bytes from the server for this long aborts the request and reconnects. */
  idleTimeoutMs: number;
  /** Shortest `timeoutSeconds` asked for on a watch, in seconds. */
  watchTimeoutMinSeconds: number;
  /** Longest `timeoutSeconds` asked for on a watch, in seconds. */
  watchTimeoutMaxSeconds: number;
  /** A watch that ends cleanly sooner than this, or without any event, counts as a failure. */
  minWatchMs: number;
  /** How long KubernetesSource.fetch waits for one object when the caller gives no signal. */
  fetchTimeoutMs: number;
}

/** The defaults, modelled on client-go's reflector. */
export const DEFAULTS: Readonly<Tuning> = Object.freeze({
  /** 500 objects: client-go's pager default; bounds one response's size on big clusters. */
  pageSize: 500,
  /** 0.8 s: client-go's initial reflector backoff. */
  backoffInitialMs: 800,
  /** 30 s: client-go's cap; keeps a fleet of clients gentle on a struggling API server. */
  backoffCapMs: 30_000,
  /** 2 min: client-go's reset period; a watch that worked that long counts as healthy. */
  backoffResetAfterMs: 120_000,
  /** 30 s: RBAC or a missing CRD is fixed by a human; retry often enough to notice soon. */
  problemRetryMs: 30_000,
  /** +0–20 %: spreads the retries of many resources and replicas. */
  problemRetryJitter: 0.2,
  /** 5 min: honour Retry-After, but never park a resource longer than this. */
  maxRetryAfterMs: 300_000,
  /** 2 min: twice the API server's 1-minute bookmark interval, so a healthy quiet watch
   * (which gets a bookmark every minute) never trips it, while a half-open connection is
   * replaced within two minutes. Also bounds how long connecting and list pages may stall. */
  idleTimeoutMs: 120_000,
  /** 5–10 min: client-go's randomized watch duration; spreads reconnects across a fleet. */
  watchTimeoutMinSeconds: 300,
  watchTimeoutMaxSeconds: 600,
  /** 1 s: client-go's "very short watch" rule; a server or proxy that closes watches at
   * once gets backoff instead of a reconnect loop. No healthy watch ends this soon. */
  minWatchMs: 1_000,
  /** 30 s: a render waits on these fetches; past this the render fails and the last good output stays. */
  fetchTimeoutMs: 30_000,
});

/** Defaults overlaid with `overrides`; rejects values that cannot work, naming the knob. */
export function resolveTuning(overrides: Partial<Tuning> = {}): Tuning {
  const tuning: Tuning = { ...DEFAULTS };
  for (const [key, value] of Object.entries(overrides) as Array<[keyof Tuning, number | undefined]>) {
    if (value !== undefined) tuning[key] = value;
  }
  for (const [key, value] of Object.entries(tuning)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`tuning.${key} must be a non-negative number, got ${value}`);
  }
  if (tuning.pageSize < 1) throw new RangeError(`tuning.pageSize must be at least 1, got ${tuning.pageSize}`);
  if (tuning.watchTimeoutMaxSeconds < tuning.watchTimeoutMinSeconds) {
    throw new RangeError('tuning.watchTimeoutMaxSeconds must not be below tuning.watchTimeoutMinSeconds');
  }
  return tuning;
}
