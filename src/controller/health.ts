/**
 * Readiness and liveness, decided from one ControllerStatus snapshot.
 *
 * - Ready (`server.readiness: serving`, the default): every watched resource has synced, the
 *   first render finished, and every template has a good output in place (a cycle of this
 *   process wrote it or found it unchanged). A template whose later cycles fail keeps its
 *   last good output, which the proxy goes on serving: the failure is reported (status,
 *   metrics, log, /debug/ and the `warnings` of /readyz) but the replica stays ready. Every
 *   replica renders the same objects, so pulling the Pod for a failure that one tenant's
 *   object (or a Secret not issued yet) causes would pull every replica at once.
 * - Ready with `server.readiness: strict`: as above, and the last render cycle of every
 *   template succeeded (render, validate, write and on_change).
 * - An optional resource past its sync timeout does not count either (the outputs are
 *   rendered without it, as configured): it is a note of the answer instead.
 * - A rejected config reload never counts: the running config still serves, and taking
 *   every replica out of service for a bad push would turn it into an outage.
 * - Not ready either: a replica that should publish into the shared store (it leads, or leader
 *   election is off) but has not published for longer than `publishFailureMs`: its
 *   publisher keeps failing (the store unreachable, refusing every write) or was deposed by
 *   another publisher although this replica leads. Renderers elsewhere then read stale
 *   data, and a rollout should stop on it. Followers, and objects the store refuses one by one
 *   (see the publisher), never count; a short outage of the store does not either.
 * - Healthy (alive): no watcher is wedged and no render cycle hangs. A watcher is wedged
 *   when its counters (events including bookmarks, lists, watch restarts, errors) have not
 *   moved for `stallMs`: a healthy watch sees a bookmark every minute, and a failing one
 *   retries within minutes, so only a stuck loop stays still that long.
 */
import type { Clock } from '../time/clock.ts';
import type { ControllerStatus, ResourceState } from './status.ts';

/** Defaults of HealthCheck. */
export const DEFAULTS = Object.freeze({
  /**
   * How long a watcher's counters or a render cycle may stand still before the process is
   * reported unhealthy (ms): 10 min, well above the API server's 1-minute bookmarks, the
   * 2-minute watch inactivity timeout and the 5-minute longest Retry-After.
   */
  stallMs: 10 * 60_000,
  /**
   * How long a publisher that should publish may go on failing (or stay deposed) before
   * the replica is reported not ready (ms): 5 min, well above an etcd leader change or a
   * restart (seconds) and the publisher's longest retry delay (30 s), so only a lasting
   * failure takes the replica out.
   */
  publishFailureMs: 5 * 60_000,
});

/** Whether the controller should receive traffic, why not, and what fails while it stays ready. */
export interface Readiness {
  ready: boolean;
  reasons: string[];
  /** Failing render cycles that keep the replica ready (their last good output stays in place). */
  warnings: string[];
  /** Optional resources rendered without (past their sync timeout); absent when none. */
  notes?: string[];
}

/** Whether the process is alive and making progress, and what is wedged. */
export interface Health {
  healthy: boolean;
  problems: string[];
}

/** Readiness of a status snapshot (see the module comment); `publishFailureMs` defaults to DEFAULTS'. */
export function readiness(status: ControllerStatus, options: { publishFailureMs?: number } = {}): Readiness {
  const reasons: string[] = [];
  const warnings: string[] = [];
  const notes: string[] = [];
  const publishFailureMs = options.publishFailureMs ?? DEFAULTS.publishFailureMs;
  for (const resource of status.resources) {
    if (resource.synced) continue;
    const stuck = resource.stuck && `watched resource "${resource.resource}" has not synced after ${Math.round(resource.stuck.waitingMs / 1000)} s: ${resource.stuck.message}`;
    if (stuck && resource.optional) notes.push(`${stuck}; it is optional: the outputs are rendered without it (it reads as empty)`);
    else reasons.push(stuck || `watched resource "${resource.resource}" has not synced yet`);
  }
  if (status.renderable && status.templates.length > 0 && status.templates.every((t) => t.last === undefined)) {
    reasons.push('the first render has not finished yet');
  }
  for (const template of status.templates) {
    if (template.last?.error === undefined) continue;
    const failure = `template "${template.template}": ${template.last.stage ?? 'render'} failed: ${template.last.error}`;
    if (status.readiness === 'strict') reasons.push(failure);
    else if (template.lastOutputAt === undefined) reasons.push(`${failure} (and it has no good output yet)`);
    else warnings.push(`${failure} (its last good output stays in place)`);
  }
  const failingForMs = status.publication?.failingForMs;
  if (failingForMs !== undefined && failingForMs > publishFailureMs) {
    reasons.push(`publisher: not publishing for ${Math.round(failingForMs / 1000)} s: ${status.publication?.reason ?? 'failing'}`);
  }
  return { ready: reasons.length === 0, reasons, warnings, ...(notes.length > 0 ? { notes } : {}) };
}

/** Watches status snapshots over time for watchers and renders that stopped moving. */
export class HealthCheck {
  readonly #clock: Clock;
  readonly #stallMs: number;
  readonly #progress = new Map<string, { signature: string; since: number }>();

  constructor(options: { clock: Clock; stallMs?: number }) {
    this.#clock = options.clock;
    this.#stallMs = options.stallMs ?? DEFAULTS.stallMs;
  }

  /** Health of `status`; each call also records the watchers' progress. */
  check(status: ControllerStatus): Health {
    const now = this.#clock.now();
    const problems: string[] = [];
    for (const resource of status.resources) {
      const stalled = this.#stalledFor(resource, now);
      if (stalled !== undefined) {
        problems.push(`watcher of "${resource.resource}" has made no progress for ${Math.round(stalled / 1000)} s`);
      }
    }
    const since = status.renders.inProgressSince;
    if (since !== undefined && now - since > this.#stallMs) {
      problems.push(`a render cycle has been running for ${Math.round((now - since) / 1000)} s`);
    }
    return { healthy: problems.length === 0, problems };
  }

  /** How long the resource's watch counters have not moved, when longer than stallMs. */
  #stalledFor(resource: ResourceState, now: number): number | undefined {
    const watch = resource.watch;
    if (!watch) return undefined;
    const events = Object.values(watch.events).reduce((a, b) => a + b, 0);
    const errors = Object.values(watch.errors).reduce((a, b) => a + b, 0);
    const signature = `${events}/${watch.lists}/${watch.watchRestarts}/${errors}`;
    const seen = this.#progress.get(resource.resource);
    if (!seen || seen.signature !== signature) {
      this.#progress.set(resource.resource, { signature, since: now });
      return undefined;
    }
    const still = now - seen.since;
    return still > this.#stallMs ? still : undefined;
  }
}
