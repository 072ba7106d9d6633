/**
 * Publisher: mirrors the stores of the watched resources with store: published into a
 * shared repository (etcd, PostgreSQL, …), for renderers with source.shared. Its story:
 *
 *   run() → wait until every watched resource has synced
 *         → claim() the cluster's publisher key (fencing, see publisher-claim.ts)
 *         → reconcile() each resource's keys with its store
 *         → publishChanges(): apply the stores' journals continuously, in batches
 *   on an error: hand it to onError, back off (jitter), reconcile again, go on;
 *   on a batch etcd refuses for good (Invalid): commit it in halves, skip only the objects
 *     refused alone, report each refused version once (publish-rejections.ts), go on;
 *   on a rejected batch guard: another publisher took over, stop for good.
 *
 * Every batch is one transaction guarded by the claimed publisher key, so two publishers
 * never interleave and a deposed one cannot write. The journals keep the latest state of
 * every changed object until a batch carrying it committed, so a failure loses nothing.
 */
import type { PublishConfig } from '../config/types.ts';
import type { KubeObject } from '../k8s.ts';
import { isKvError, KvError, type KvGuard, type KvOperation, type Repository, type Revision } from '../kv/index.ts';
import { KeyLayout } from '../kv/layout.ts';
import type { Logger } from '../log.ts';
import type { ChangeJournal, JournalEntry } from '../store/change-journal.ts';
import { Backoff } from '../time/backoff.ts';
import type { Clock } from '../time/clock.ts';
import { BATCH_LIMITS, chunkWrites, operationBytes, type BatchLimits } from './batches.ts';
import { planReconcile, type ReconcileWrite } from './reconcile.ts';
import { publishedIdentity, ObjectRejectedError, Rejections, targetOf, type PublishTarget, type RejectedObject } from './rejections.ts';
import { commitSplitting } from './split.ts';
import { assertOwnedCluster, clusterOf, keyOfObject, valueOfObject, type PublishedResource } from './objects.ts';
import {
  claimPublisherKey,
  describeHolder,
  PublisherFencedError,
  readHolder,
  type PublisherClaim,
} from './claim.ts';

/** Retry timing of a publisher, in ms. */
export const DEFAULTS = Object.freeze({
  /** Ceiling of the first retry delay (full jitter): an etcd leader change takes about a second. */
  retryInitialMs: 500,
  /** Retries back off (doubling) up to this, so a long etcd outage costs a few requests a minute. */
  retryMaxMs: 30_000,
  /** After this long without a failure, retries start again from retryInitialMs. */
  retryResetAfterMs: 60_000,
});

/** Opens the repository publish names (production: with its backend, from the controller's shared-store backends). */
export type RepositoryFactory = (config: PublishConfig, logger: Logger) => Repository;

/** Where a publisher is in its story. */
export type PublisherPhase = 'waiting-for-sync' | 'claiming' | 'reconciling' | 'publishing' | 'retrying' | 'deposed' | 'stopped';

/** What /debug/ and the metrics show of a publisher. */
export interface PublisherState {
  cluster: string;
  identity: string;
  /** The epoch of its claim, as a decimal string. */
  epoch: string;
  phase: PublisherPhase;
  /** The publisher key's mod revision the claim got (every batch's guard). */
  claimedRevision?: string;
  /** Objects whose latest change is not published yet. */
  pending: number;
  /** Objects written (puts and deletes) and transactions committed so far. */
  published: number;
  batches: number;
  errors: number;
  lastError?: string;
  /** Clock time of the last committed transaction or finished reconcile. */
  lastSuccessAt?: number;
  /** Clock time of the first failure since the last success, while it is retrying. */
  failingSince?: number;
  /** Clock time it was deposed at. */
  deposedAt?: number;
  /** Why it stopped publishing for good, when deposed. */
  deposedBy?: string;
  /** Objects etcd refuses for good (too large, a name that cannot be a key), skipped until they change. */
  rejected: RejectedObject[];
}

/** What a publisher records as it goes (the controller's Prometheus metrics). */
export interface PublisherMetrics {
  /**
   * A config version publishes `resources`: the metrics exist from now on, their counters at
   * zero for these resources (nothing is exported while nothing is published).
   */
  declare?(resources: readonly string[]): void;
  published(resource: string, objects: number): void;
  batch(): void;
  error(code: string): void;
  /** An object of `resource` refused for good (once per refused version). */
  rejected(resource: string): void;
  succeeded(): void;
}

/** How to build a Publisher. */
export interface PublisherOptions {
  config: PublishConfig;
  /**
   * The clusters this publisher writes, each fenced by its own publisher key: the names of
   * source.kubernetes.clusters, else publish.cluster (the default). An object of any
   * other cluster is refused, so no cluster's keys are ever written unfenced.
   */
  clusters?: readonly string[];
  resources: readonly PublishedResource[];
  connect: RepositoryFactory;
  /** This publisher's identity and epoch. */
  claim: PublisherClaim;
  /** Resolves once every watched resource has delivered its initial state. */
  waitForSync: () => Promise<void>;
  clock: Clock;
  /** Jitter of retry delays; default Math.random. */
  random?: () => number;
  /** Runs `fn` soon, coalescing a burst of changes into one batch; default setImmediate. */
  schedule?: (fn: () => void) => void;
  logger: Logger;
  /** Problems that do not stop publishing (an unreachable etcd, an object that cannot be stored). */
  onError?: (err: Error) => void;
  metrics?: PublisherMetrics;
  limits?: BatchLimits;
}

/** One write and the object it is for. */
interface Write {
  readonly operation: KvOperation;
  readonly target: PublishTarget;
}

/** A journal entry with the write it becomes (none: nothing to write, or refused). */
interface PlannedChange {
  readonly entry: JournalEntry;
  readonly journal: ChangeJournal;
  readonly resource: PublishedResource;
  readonly write: Write | undefined;
}

/** One publisher for one claim (see the module comment). */
export class Publisher {
  readonly #options: PublisherOptions;
  readonly #log: Logger;
  readonly #layout: KeyLayout;
  /** The clusters written and their publisher keys, in order. */
  readonly #clusters: readonly string[];
  readonly #publisherKeys: readonly string[];
  readonly #backoff: Backoff;
  readonly #limits: BatchLimits;
  readonly #journals: Map<PublishedResource, ChangeJournal>;
  #repository: Repository | undefined;
  /** The mod revision each publisher key got when claimed (every batch's guards); undefined before the claim. */
  #claimed: Revision[] | undefined;
  #running: Promise<void> | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  #flushScheduled = false;
  /** Resolves when stop() is called: every wait races it. */
  readonly #stopped: Promise<void>;
  #signalStop!: () => void;
  /** Which journal the next batch starts with, so a busy resource cannot starve the others. */
  #nextJournal = 0;
  readonly #state: Omit<PublisherState, 'pending' | 'rejected'>;
  readonly #rejections = new Rejections();

  /** Builds the publisher; starts nothing. Throws a KvError for a prefix or cluster that cannot be a key. */
  constructor(options: PublisherOptions) {
    this.#options = options;
    this.#layout = new KeyLayout(options.config.prefix);
    this.#clusters = options.clusters && options.clusters.length > 0 ? [...options.clusters] : [options.config.cluster];
    this.#publisherKeys = this.#clusters.map((cluster) => this.#layout.publisherKey(cluster));
    this.#log = options.logger.child({ component: 'publisher', cluster: options.config.cluster, identity: options.claim.identity });
    this.#backoff = new Backoff(
      { initialMs: DEFAULTS.retryInitialMs, capMs: DEFAULTS.retryMaxMs, resetAfterMs: DEFAULTS.retryResetAfterMs },
      options.clock,
      options.random ?? Math.random,
    );
    this.#limits = options.limits ?? BATCH_LIMITS;
    this.#journals = new Map();
    this.#stopped = new Promise((resolve) => (this.#signalStop = resolve));
    this.#state = {
      cluster: options.config.cluster,
      identity: options.claim.identity,
      epoch: options.claim.epoch.toString(),
      phase: 'waiting-for-sync',
      published: 0,
      batches: 0,
      errors: 0,
    };
  }

  /** A snapshot of what it is doing. */
  state(): PublisherState {
    let pending = 0;
    for (const journal of this.#journals.values()) pending += journal.size;
    return { ...this.#state, pending, rejected: this.#rejections.list() };
  }

  /** True while it may still publish (not deposed, not stopped). */
  get active(): boolean {
    return this.#state.phase !== 'deposed' && this.#state.phase !== 'stopped';
  }

  /** Starts publishing in the background; resolves the returned promise when it stops for good. */
  start(): Promise<void> {
    this.#running ??= this.#run();
    return this.#running;
  }

  /** Stops at once: waits cut short, the repository closed (a batch in flight is abandoned). */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#signalStop();
    const repository = this.#repository;
    this.#repository = undefined;
    await repository?.close().catch(() => undefined);
    await this.#running;
    this.#state.phase = this.#state.phase === 'deposed' ? 'deposed' : 'stopped';
  }

  async #run(): Promise<void> {
    this.#openJournals();
    try {
      await Promise.race([this.#options.waitForSync(), this.#stopped]);
      while (!this.#stopping) {
        try {
          this.#repository ??= this.#options.connect(this.#options.config, this.#log);
          await this.#claim();
          await this.#reconcile();
          await this.#publishChanges();
        } catch (err) {
          if (this.#stopping) break;
          if (err instanceof PublisherFencedError) {
            this.#depose(err);
            break;
          }
          this.#failed(err as Error);
          await this.#sleep(this.#backoff.next());
        }
      }
    } finally {
      this.#closeJournals();
      await this.#repository?.close().catch(() => undefined);
      this.#repository = undefined;
      if (this.#state.phase !== 'deposed') this.#state.phase = 'stopped';
    }
  }

  /** Claims the publisher key of every cluster written, once per run; a reconnect keeps the claims. */
  async #claim(): Promise<void> {
    if (this.#claimed !== undefined) return;
    this.#state.phase = 'claiming';
    const claimed: Revision[] = [];
    for (const key of this.#publisherKeys) claimed.push(await claimPublisherKey(this.#repo(), key, this.#options.claim));
    this.#claimed = claimed;
    this.#state.claimedRevision = claimed.map(String).join(',');
    this.#log.info({ keys: this.#publisherKeys, revisions: this.#state.claimedRevision }, 'claimed the publisher keys; publishing');
  }

  /** Makes every resource's keys equal to its store. */
  async #reconcile(): Promise<void> {
    this.#state.phase = 'reconciling';
    for (const [resource, journal] of this.#journals) {
      const plan = await planReconcile(this.#repo(), this.#layout, resource, journal, this.#options.config.cluster, this.#clusters);
      this.#rejections.retain(resource.name, this.#identities(resource));
      for (const { obj, error } of plan.skipped) this.#reject(this.#target(resource, obj, undefined, valueOfObject(obj)), error);
      const writes = plan.writes.map((write) => this.#reconcileWrite(resource, write)).filter((write) => !this.#rejections.refused(write.target));
      for (const chunk of chunkWrites(writes, (write) => write.operation, this.#limits)) {
        const written = await this.#commitWrites(chunk);
        this.#counted(resource.name, written);
      }
      if (writes.length > 0) this.#log.info({ resource: resource.name, writes: writes.length }, 'reconciled');
    }
    this.#succeeded();
    this.#backoff.reset();
  }

  /** Applies the journals batch after batch until stopped (or an error). */
  async #publishChanges(): Promise<void> {
    this.#state.phase = 'publishing';
    while (!this.#stopping) {
      const changes = this.#nextBatch();
      if (changes.length === 0) {
        await this.#untilChanged();
        continue;
      }
      const writes = changes.flatMap((change) => (change.write ? [change.write] : []));
      const refused = new Set(await this.#commitAndReject(writes));
      for (const change of changes) change.journal.acknowledge([change.entry]);
      this.#countChanges(changes.filter((change) => change.write !== undefined && !refused.has(change.write)));
      this.#succeeded();
    }
  }

  /** The oldest pending changes of every journal, within the batch limits. */
  #nextBatch(): PlannedChange[] {
    const batch: PlannedChange[] = [];
    let bytes = 0;
    const journals = [...this.#journals];
    const start = this.#nextJournal++ % Math.max(1, journals.length);
    for (const [resource, journal] of [...journals.slice(start), ...journals.slice(0, start)]) {
      for (const entry of journal.peek(this.#limits.maxOperations - batch.length)) {
        const change = this.#plan(resource, journal, entry);
        const size = change.write ? operationBytes(change.write.operation) : 0;
        if (batch.length > 0 && bytes + size > this.#limits.maxBytes) return batch;
        batch.push(change);
        bytes += size;
      }
      if (batch.length >= this.#limits.maxOperations) break;
    }
    return batch;
  }

  /**
   * The write of one journal entry; none for an object that cannot be stored (reported) or
   * whose version etcd refused already.
   */
  #plan(resource: PublishedResource, journal: ChangeJournal, entry: JournalEntry): PlannedChange {
    const value = entry.deleted ? undefined : valueOfObject(entry.obj);
    let key: string;
    try {
      assertOwnedCluster(entry.obj, this.#options.config.cluster, this.#clusters);
      key = keyOfObject(this.#layout, resource, entry.obj, this.#options.config.cluster);
    } catch (err) {
      const target = this.#target(resource, entry.obj, undefined, value);
      if (entry.deleted) this.#rejections.clear(target);
      else this.#reject(target, err as Error);
      return { entry, journal, resource, write: undefined };
    }
    const target = this.#target(resource, entry.obj, key, value);
    if (this.#rejections.refused(target)) return { entry, journal, resource, write: undefined };
    const operation: KvOperation = value === undefined ? { type: 'delete', key } : { type: 'put', key, value };
    return { entry, journal, resource, write: { operation, target } };
  }

  #target(resource: PublishedResource, obj: KubeObject, key: string | undefined, value: string | undefined): PublishTarget {
    return targetOf(resource.name, clusterOf(obj, this.#options.config.cluster), obj, key, value);
  }

  /** A reconcile write with its target; a vanished key's target comes from the key itself. */
  #reconcileWrite(resource: PublishedResource, write: ReconcileWrite): Write {
    const { operation, obj } = write;
    if (obj !== undefined) return { operation, target: this.#target(resource, obj, operation.key, operation.type === 'put' ? operation.value : undefined) };
    const address = this.#layout.parse(operation.key);
    const target: PublishTarget = {
      resource: resource.name,
      cluster: address?.cluster ?? this.#options.config.cluster,
      namespace: address?.namespace ?? '',
      name: address?.name ?? operation.key,
      resourceVersion: undefined,
      key: operation.key,
      digest: undefined,
    };
    return { operation, target };
  }

  /** The identities of the objects in `resource`'s store now (refusals of others are forgotten). */
  #identities(resource: PublishedResource): Set<string> {
    const cluster = this.#options.config.cluster;
    return new Set(
      resource.store.list().map((obj) => publishedIdentity({ resource: resource.name, cluster: clusterOf(obj, cluster), namespace: obj.metadata.namespace ?? '', name: obj.metadata.name })),
    );
  }

  /** Commits `writes` in as many transactions as it takes to leave out only those etcd refuses; resolves to how many were written. */
  async #commitWrites(writes: readonly Write[]): Promise<number> {
    return writes.length - (await this.#commitAndReject(writes)).length;
  }

  /** Commits `writes` (splitting around refused ones, see publish-split.ts); resolves to the refused writes, each reported. */
  async #commitAndReject(writes: readonly Write[]): Promise<Write[]> {
    const refused = await commitSplitting(writes, (write) => write.operation, (operations) => this.#commit(operations));
    const refusedWrites = new Set(refused.map(({ write }) => write));
    for (const write of writes) if (!refusedWrites.has(write)) this.#rejections.clear(write.target);
    for (const { write, error } of refused) this.#reject(write.target, error);
    return [...refusedWrites];
  }

  /** Records a refused object; logs, counts and hands it to onError once per refused version. */
  #reject(target: PublishTarget, cause: Error): void {
    if (!this.#rejections.add(target, cause.message, this.#options.clock.now())) return;
    const error = new ObjectRejectedError(target, cause);
    const { resource, cluster, namespace, name, key, resourceVersion } = target;
    this.#log.warn({ resource, cluster, namespace, name, key, resourceVersion }, error.message);
    this.#options.metrics?.rejected(resource);
    this.#options.onError?.(error);
  }

  /** Commits one transaction guarded by every claim; a failed guard means another publisher took over. */
  async #commit(operations: KvOperation[]): Promise<void> {
    const claimed = this.#claimed!;
    const guards: KvGuard[] = this.#publisherKeys.map((key, i) => ({ key, modRevision: claimed[i]! }));
    try {
      await this.#repo().commit({ guards, operations });
    } catch (err) {
      if (!isKvError(err, 'Conflict')) throw err;
      throw await this.#fenced(err);
    }
    this.#state.batches++;
    this.#options.metrics?.batch();
  }

  #countChanges(changes: readonly PlannedChange[]): void {
    const byResource = new Map<string, number>();
    for (const change of changes) {
      if (change.write) byResource.set(change.resource.name, (byResource.get(change.resource.name) ?? 0) + 1);
    }
    for (const [name, count] of byResource) this.#counted(name, count);
  }

  #counted(resource: string, objects: number): void {
    this.#state.published += objects;
    this.#options.metrics?.published(resource, objects);
  }

  #succeeded(): void {
    this.#state.lastSuccessAt = this.#options.clock.now();
    delete this.#state.failingSince;
    this.#options.metrics?.succeeded();
  }

  #depose(err: PublisherFencedError): void {
    this.#state.phase = 'deposed';
    this.#state.deposedBy = err.message;
    this.#state.deposedAt = this.#options.clock.now();
    this.#log.error({ keys: this.#publisherKeys, holder: err.holder?.identity }, `stopped publishing: ${err.message}`);
  }

  #failed(err: Error): void {
    this.#state.phase = 'retrying';
    this.#state.failingSince ??= this.#options.clock.now();
    this.#log.warn({ err }, `publishing failed, retrying: ${err.message}`);
    this.#report(err);
  }

  #report(err: Error): void {
    this.#state.errors++;
    this.#state.lastError = err.message;
    this.#options.metrics?.error(isKvError(err) ? err.code : err.name);
    this.#options.onError?.(err);
  }

  /** The error for a batch whose guard failed: names the publisher key that changed and who holds it now. */
  async #fenced(cause: KvError): Promise<PublisherFencedError> {
    const claimed = this.#claimed!;
    for (const [i, key] of this.#publisherKeys.entries()) {
      const record = await this.#repo().get(key).catch(() => undefined);
      if (record?.modRevision === claimed[i]) continue;
      const holder = await readHolder(this.#repo(), key);
      return new PublisherFencedError(`${describeHolder(holder)} took over ${key}`, { holder, cause });
    }
    return new PublisherFencedError(`another publisher took over ${this.#publisherKeys.join(', ')}`, { cause });
  }

  #repo(): Repository {
    if (this.#repository === undefined) throw new KvError('Unavailable', 'the publisher is stopping');
    return this.#repository;
  }

  // ── Journals and waiting ───────────────────────────────────────────────────────────

  #openJournals(): void {
    for (const resource of this.#options.resources) {
      const journal = resource.store.openJournal();
      journal.onRecord(() => this.#changed());
      this.#journals.set(resource, journal);
    }
  }

  #closeJournals(): void {
    for (const [resource, journal] of this.#journals) {
      journal.onRecord(undefined);
      resource.store.closeJournal(journal);
    }
  }

  /** A store changed: wake the publishing loop soon (once per burst). */
  #changed(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    (this.#options.schedule ?? setImmediate)(() => {
      this.#flushScheduled = false;
      this.#interrupt();
    });
  }

  /** Resolves at the next change (or stop). */
  #untilChanged(): Promise<void> {
    return Promise.race([new Promise<void>((resolve) => (this.#wake = resolve)), this.#stopped]);
  }

  #interrupt(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Waits `ms` on the clock, or until stopped (changes do not cut a backoff short). */
  async #sleep(ms: number): Promise<void> {
    let timer: unknown;
    await Promise.race([new Promise<void>((resolve) => (timer = this.#options.clock.setTimeout(resolve, ms))), this.#stopped]);
    this.#options.clock.clearTimeout(timer);
  }
}
