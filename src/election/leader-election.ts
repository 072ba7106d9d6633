/**
 * LeaderElector: leader election on a coordination.k8s.io/v1 Lease, with client-go's
 * rules. Every retry period a replica reads the Lease and:
 * - creates it when there is none (and leads);
 * - renews it when it holds it;
 * - takes it over when it is released (no holder) or expired: not renewed for its
 *   leaseDurationSeconds, measured on this replica's own clock from when it last saw the
 *   record change, so clocks of different machines never need to agree;
 * - otherwise follows.
 * The API server's optimistic concurrency (resourceVersion) decides races. A leader that
 * cannot renew for the renew deadline steps down; stop() releases the Lease so a follower
 * takes over at its next try instead of waiting for expiry.
 */
import type { Logger } from '../log.ts';
import type { Clock } from '../time/clock.ts';
import { Timers } from '../time/timers.ts';
import type { Lease, LeaseClient, LeaseSpec } from './lease-client.ts';

/** How to elect. */
export interface LeaderElectorOptions {
  client: LeaseClient;
  /** This replica's unique name in the Lease. */
  identity: string;
  /** How long the Lease is valid without renewal (ms; written in whole seconds, rounded up). */
  leaseDurationMs: number;
  /** Step down when renewing failed for this long (ms). */
  renewDeadlineMs: number;
  /** Time between tries (ms). */
  retryPeriodMs: number;
  clock: Clock;
  logger: Logger;
  /** Called when this replica starts or stops leading. */
  onChange: (leading: boolean) => void;
}

/** What the debug endpoint shows. */
export interface ElectionState {
  identity: string;
  lease: string;
  leading: boolean;
  /** The holder as last read; "" when released, undefined before the first read. */
  holder: string | undefined;
  transitions: number;
  lastError?: string;
}

/** Elects this replica (or not) on one Lease; reports changes through onChange (see the module comment). */
export class LeaderElector {
  readonly #options: LeaderElectorOptions;
  readonly #log: Logger;
  #leading = false;
  #running: Promise<void> | undefined;
  #stopping = false;
  /** The wait between tries; stop() cuts it short. */
  readonly #timers: Timers;
  #observed: LeaseSpec | undefined;
  #observedAt = 0;
  #lastRenewAt = 0;
  #lease: Lease | undefined;
  #transitions = 0;
  #attempts = 0;
  #lastError: string | undefined;

  constructor(options: LeaderElectorOptions) {
    this.#options = options;
    this.#timers = new Timers(options.clock);
    this.#log = options.logger.child({ component: 'leader-election', lease: options.client.description, identity: options.identity });
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  /**
   * The Lease's leaseTransitions as last read: it grows with every change of holder.
   */
  get leaseTransitions(): number {
    return this.#lease?.spec.leaseTransitions ?? 0;
  }

  /** Tries made so far (tests step a fake clock through them). */
  get attempts(): number {
    return this.#attempts;
  }

  state(): ElectionState {
    return {
      identity: this.#options.identity,
      lease: this.#options.client.description,
      leading: this.#leading,
      holder: this.#observed === undefined ? undefined : (this.#observed.holderIdentity ?? ''),
      transitions: this.#transitions,
      ...(this.#lastError !== undefined ? { lastError: this.#lastError } : {}),
    };
  }

  /** Starts trying in the background; a no-op when running. */
  start(): void {
    if (this.#running) return;
    this.#stopping = false;
    this.#log.info('started; following until the lease is acquired');
    this.#running = this.#run();
  }

  /** Stops trying and, when leading, releases the Lease (best effort) and steps down. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#stopping = true;
    this.#timers.cancelAll();
    await this.#running;
    this.#running = undefined;
    if (this.#leading) {
      await this.#release();
      this.#setLeading(false);
    }
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      const ok = await this.#tryAcquireOrRenew();
      this.#attempts++;
      if (this.#stopping) break;
      const now = this.#options.clock.now();
      if (ok) this.#lastRenewAt = now;
      if (ok && !this.#leading) this.#setLeading(true);
      else if (!ok && this.#leading && now - this.#lastRenewAt >= this.#options.renewDeadlineMs) {
        this.#log.error(`could not renew for ${this.#options.renewDeadlineMs / 1000} s; stepping down`);
        this.#setLeading(false);
      }
      await this.#timers.sleep(this.#options.retryPeriodMs);
    }
  }

  /** One try; true when this replica holds the Lease afterwards. Never throws. */
  async #tryAcquireOrRenew(): Promise<boolean> {
    const now = this.#options.clock.now();
    try {
      const lease = await this.#options.client.get();
      if (!lease) return await this.#create(now);
      this.#observe(lease, now);
      if (!this.#mayTake(lease.spec, now)) return false;
      const updated = await this.#options.client.update({ ...lease, spec: this.#nextSpec(lease.spec, now) });
      this.#observe(updated, now);
      this.#lastError = undefined;
      return true;
    } catch (err) {
      return this.#failed(err);
    }
  }

  async #create(now: number): Promise<boolean> {
    const spec: LeaseSpec = {
      holderIdentity: this.#options.identity,
      leaseDurationSeconds: this.#durationSeconds(),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    this.#observe(await this.#options.client.create(spec), now);
    return true;
  }

  /** Whether this replica may write the Lease: it holds it, or it is released or expired. */
  #mayTake(spec: LeaseSpec, now: number): boolean {
    const holder = spec.holderIdentity ?? '';
    if (holder === '' || holder === this.#options.identity) return true;
    return this.#observedAt + (spec.leaseDurationSeconds ?? 0) * 1000 <= now;
  }

  #nextSpec(spec: LeaseSpec, now: number): LeaseSpec {
    const renewing = spec.holderIdentity === this.#options.identity;
    return {
      ...spec,
      holderIdentity: this.#options.identity,
      leaseDurationSeconds: this.#durationSeconds(),
      renewTime: microTime(now),
      acquireTime: renewing && spec.acquireTime ? spec.acquireTime : microTime(now),
      leaseTransitions: renewing ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
    };
  }

  /** Remembers the record and when it last changed (on this replica's clock). */
  #observe(lease: Lease, now: number): void {
    this.#lease = lease;
    const spec = lease.spec;
    const changed = this.#observed === undefined || JSON.stringify(spec) !== JSON.stringify(this.#observed);
    if (!changed) return;
    const holder = spec.holderIdentity ?? '';
    if (this.#observed !== undefined && holder !== (this.#observed.holderIdentity ?? '')) {
      this.#log.info({ holder: holder || undefined }, holder ? `lease now held by ${holder}` : 'lease released');
    }
    this.#observed = spec;
    this.#observedAt = now;
  }

  #failed(err: unknown): false {
    const message = (err as Error).message;
    const status = (err as { status?: number }).status;
    if (status === 409) {
      this.#log.debug({ err }, 'lost a race for the lease; another replica wrote it first');
    } else if (message !== this.#lastError) {
      this.#log.warn({ err }, `lease request failed: ${message}`);
    }
    this.#lastError = status === 409 ? this.#lastError : message;
    return false;
  }

  async #release(): Promise<void> {
    const lease = this.#lease;
    if (!lease || lease.spec.holderIdentity !== this.#options.identity) return;
    const now = microTime(this.#options.clock.now());
    const spec: LeaseSpec = { leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: lease.spec.leaseTransitions ?? 0 };
    try {
      await this.#options.client.update({ ...lease, spec });
      this.#log.info('released the lease');
    } catch (err) {
      this.#log.warn({ err }, `could not release the lease; followers take over when it expires: ${(err as Error).message}`);
    }
  }

  #setLeading(leading: boolean): void {
    if (this.#leading === leading) return;
    this.#leading = leading;
    if (leading) this.#transitions++;
    this.#log.info(leading ? 'became the leader' : 'stopped leading');
    this.#options.onChange(leading);
  }

  #durationSeconds(): number {
    return Math.max(1, Math.ceil(this.#options.leaseDurationMs / 1000));
  }
}

/** A Kubernetes MicroTime: RFC 3339 in UTC with exactly six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** A default identity: POD_NAME (or the host name) plus a random suffix, unique per process. */
export function defaultIdentity(env: NodeJS.ProcessEnv, hostname: string, random: () => string): string {
  return `${env.POD_NAME || hostname}_${random()}`;
}
