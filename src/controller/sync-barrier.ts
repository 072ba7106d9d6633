/**
 * SyncBarrier: waits for watched resources to deliver their initial state, and names the
 * ones that take longer than their sync timeout, with the reason their source gives (403
 * RBAC, 404 missing CRD, an unreachable server), instead of hanging silently. Nothing is
 * given up: a stuck resource that syncs later is reported as recovered. An optional
 * resource past its timeout no longer holds rendering back (see `renderable`).
 */
import type { Config, WatchedResourceConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import type { WatchProblem } from '../watcher/index.ts';
import type { Clock } from '../time/clock.ts';
import type { WatchUnit } from './watch-unit.ts';
import type { StuckReason } from './status.ts';

export type { StuckReason } from './status.ts';

/** A watched resource past its sync timeout. */
export interface StuckResource {
  resource: string;
  reason: StuckReason;
  /** What the source says, or that it has not answered yet. */
  message: string;
  /** How long it has been waiting, in ms. */
  waitingMs: number;
  /** Set for an optional resource: rendering goes on without it. */
  optional?: true;
}

/** How long a watched resource may take to sync, and whether rendering goes on without it after that. */
export interface SyncPolicy {
  /** Its sync_timeout, else render.sync_timeout, in ms. */
  timeoutMs: number;
  optional: boolean;
}

/** The sync policy of `resource` under `config`. */
export function syncPolicy(config: Config, resource: WatchedResourceConfig): SyncPolicy {
  return { timeoutMs: resource.syncTimeoutMs ?? config.render.syncTimeoutMs, optional: resource.optional === true };
}

/** What SyncBarrier needs. */
export interface SyncBarrierOptions {
  clock: Clock;
  logger: Logger;
  /**
   * Called when a resource first passes its timeout unsynced (an optional one no longer
   * holds rendering back from then on).
   */
  onTimeout?: () => void;
}

interface Pending {
  unit: WatchUnit;
  resource: string;
  policy: SyncPolicy;
  since: number;
  timer: unknown;
  stuck: boolean;
  lastMessage?: string;
}

/** Tracks the resources of units that have not synced yet. */
export class SyncBarrier {
  readonly #options: SyncBarrierOptions;
  readonly #log: Logger;
  readonly #pending = new Map<string, Pending>();

  constructor(options: SyncBarrierOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'sync' });
  }

  /** Starts the timeout of every resource of `unit` that has not synced yet, as `policyOf` says. */
  expect(unit: WatchUnit, policyOf: (resource: WatchedResourceConfig) => SyncPolicy): void {
    for (const resource of unit.resources) {
      if (unit.isSynced(resource.name)) continue;
      const key = this.#key(unit, resource.name);
      const policy = policyOf(resource);
      const entry: Pending = { unit, resource: resource.name, policy, since: this.#options.clock.now(), timer: undefined, stuck: false };
      entry.timer = this.#options.clock.setTimeout(() => this.#check(key), policy.timeoutMs);
      this.#pending.set(key, entry);
    }
  }

  /**
   * True when `resource` of `unit` does not hold rendering back: it has synced, or it is
   * optional and past its timeout (it renders as whatever its store holds: empty, until
   * it syncs).
   */
  renderable(unit: WatchUnit, resource: string): boolean {
    if (unit.isSynced(resource)) return true;
    const entry = this.#pending.get(this.#key(unit, resource));
    return entry !== undefined && entry.stuck && entry.policy.optional;
  }

  /**
   * Applies a new config's policies to the resources still waiting (of units a reload
   * kept): their timers keep running, an optional one past its timeout is renderable.
   */
  repolicy(config: Config): void {
    for (const entry of this.#pending.values()) {
      const resource = config.watchedResources.find((r) => r.name === entry.resource);
      if (resource !== undefined) entry.policy = syncPolicy(config, resource);
    }
  }

  /** Drops resources that have synced since (logging the ones that were stuck); call on every change. */
  update(): void {
    for (const [key, entry] of this.#pending) {
      if (!entry.unit.isSynced(entry.resource)) continue;
      this.#options.clock.clearTimeout(entry.timer);
      this.#pending.delete(key);
      if (entry.stuck) {
        const waited = Math.round((this.#options.clock.now() - entry.since) / 1000);
        this.#log.info({ resource: entry.resource, waitedSeconds: waited }, `watched resource "${entry.resource}" synced after ${waited} s`);
      }
    }
  }

  /** Stops tracking the resources of `unit` (it was stopped). */
  forget(unit: WatchUnit): void {
    for (const [key, entry] of this.#pending) {
      if (entry.unit !== unit) continue;
      this.#options.clock.clearTimeout(entry.timer);
      this.#pending.delete(key);
    }
  }

  /** The resources past their timeout, in the order they were expected. */
  stuck(): StuckResource[] {
    const now = this.#options.clock.now();
    return [...this.#pending.values()]
      .filter((entry) => entry.stuck)
      .map((entry) => ({
        resource: entry.resource,
        ...describeProblem(entry.unit.status(entry.resource)?.lastProblem),
        waitingMs: now - entry.since,
        ...(entry.policy.optional ? { optional: true } : {}),
      }));
  }

  /** Every resource still waiting (stuck or not) with how long it has waited, in ms. */
  waiting(): Array<{ resource: string; waitingMs: number; stuck: boolean }> {
    const now = this.#options.clock.now();
    return [...this.#pending.values()].map((e) => ({ resource: e.resource, waitingMs: now - e.since, stuck: e.stuck }));
  }

  /** Cancels every timer. */
  stop(): void {
    for (const entry of this.#pending.values()) this.#options.clock.clearTimeout(entry.timer);
    this.#pending.clear();
  }

  /**
   * The timeout passed: report the resource as stuck, and look again one timeout later.
   * The first time, tell the controller (an optional resource no longer holds rendering).
   */
  #check(key: string): void {
    const entry = this.#pending.get(key);
    if (!entry) return;
    if (entry.unit.isSynced(entry.resource)) return this.update();
    const first = !entry.stuck;
    entry.stuck = true;
    const { reason, message } = describeProblem(entry.unit.status(entry.resource)?.lastProblem);
    if (message !== entry.lastMessage) {
      const waited = Math.round((this.#options.clock.now() - entry.since) / 1000);
      const fields = { resource: entry.resource, reason, waitedSeconds: waited, optional: entry.policy.optional };
      const prefix = `watched resource "${entry.resource}" has not synced after ${waited} s: ${message}`;
      if (entry.policy.optional) this.#log.warn(fields, `${prefix}; it is optional: rendering goes on without it (it reads as empty) until it syncs`);
      else this.#log.error(fields, `${prefix}; rendering waits for it`);
      entry.lastMessage = message;
    }
    entry.timer = this.#options.clock.setTimeout(() => this.#check(key), entry.policy.timeoutMs);
    if (first) this.#options.onTimeout?.();
  }

  #key(unit: WatchUnit, resource: string): string {
    return `${unit.key}\u0000${resource}`;
  }
}

/** The reason class and message of a source's last problem. */
export function describeProblem(problem: WatchProblem | undefined): { reason: StuckReason; message: string } {
  if (!problem) return { reason: 'no_answer', message: 'no answer from the source yet' };
  return { reason: reasonOf(problem.status), message: problem.message };
}

function reasonOf(status: number | undefined): StuckReason {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429) return 'throttled';
  if (status !== undefined && status >= 500) return 'server_error';
  return 'error';
}
