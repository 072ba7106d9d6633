/**
 * Publication: whether this replica publishes, and what. It runs one Publisher at a time
 * for the running config version: only while this replica leads (with leader election
 * on; the epoch is the wall-clock time it became leader, in ms) or always (leader election
 * off; the epoch is this process's start time, in ms). Both are times, so a leadership
 * that began later always has the higher epoch, whether leader election was turned on
 * later or its Lease recreated. A reload that changes publish or the
 * published stores replaces the publisher; losing leadership or stop() stops it at once.
 * A deposed publisher stays stopped until this replica is elected again.
 */
import type { Config, PublishConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import type { StoreReader } from '../store/index.ts';
import { isPublishedStore } from '../store/published-store.ts';
import type { Clock } from '../time/clock.ts';
import { isoTime } from '../time/iso.ts';
import { publishedResource, type PublishedResource } from './objects.ts';
import { Publisher, type PublisherMetrics, type PublisherState, type RepositoryFactory } from './publisher.ts';

/** Whether this replica publishes into the shared store (publish), and what is wrong if it should but cannot. */
export interface PublicationStatus {
  /** This replica is the one that should publish (it leads, or leader election is off) and is not deposed. */
  publishing: boolean;
  /** Why it does not publish, or how it is failing; absent when all is well. */
  reason?: string;
  /**
   * How long this replica has not been publishing although it should (retrying failures,
   * or deposed while leading), in ms; absent when it publishes or should not.
   */
  failingForMs?: number;
  /** The running publisher's state, when there is one. */
  publisher?: PublisherState;
}

/** How to build a Publication. */
export interface PublicationOptions {
  /** This replica's identity (the Lease holder identity). */
  identity: string;
  connect: RepositoryFactory;
  /** Resolves once every watched resource of the running config has synced. */
  waitForSync: () => Promise<void>;
  /** The epoch when leader election is off: this process's start time, in ms since the epoch. */
  startedAtMs: number;
  clock: Clock;
  random?: () => number;
  logger: Logger;
  metrics?: PublisherMetrics;
  onError?: (err: Error) => void;
}

/** What one config version publishes. */
interface Target {
  readonly key: string;
  readonly config: PublishConfig;
  /** The clusters published, each fenced by its own publisher key. */
  readonly clusters: readonly string[];
  readonly resources: readonly PublishedResource[];
  readonly stores: readonly StoreReader[];
}

/** The publisher of the running config, started and stopped by leadership (see the module comment). */
export class Publication {
  readonly #options: PublicationOptions;
  #target: Target | undefined;
  /** Whether leader election decides (the running config's leader_election.enabled). */
  #elected = false;
  /** undefined: leader election is off; else the epoch of the current leadership, or null when not leading. */
  #leadership: bigint | null | undefined;
  #publisher: Publisher | undefined;
  #changing: Promise<void> = Promise.resolve();

  constructor(options: PublicationOptions) {
    this.#options = options;
  }

  /** The running publisher's state; undefined when nothing is published (or this replica follows). */
  state(): PublisherState | undefined {
    return this.#publisher?.state();
  }

  /**
   * Whether this replica publishes, and why not: nothing to publish, a follower, deposed
   * by another publisher, or failing since a time with an error (see PublicationStatus).
   */
  status(): PublicationStatus {
    const now = this.#options.clock.now();
    if (this.#target === undefined) return { publishing: false, reason: 'nothing to publish (no publish with a store: published resource)' };
    if (this.#leadership === null) return { publishing: false, reason: 'not the leader: the leader publishes' };
    const state = this.#publisher?.state();
    if (state === undefined) return { publishing: false, reason: 'starting' };
    if (state.phase === 'deposed') {
      const since = state.deposedAt ?? now;
      return { publishing: false, reason: `deposed since ${isoTime(since)}: ${state.deposedBy ?? 'another publisher took over'}`, failingForMs: now - since, publisher: state };
    }
    if (state.failingSince !== undefined) {
      return { publishing: true, reason: `failing since ${isoTime(state.failingSince)}: ${state.lastError ?? 'unknown error'}`, failingForMs: now - state.failingSince, publisher: state };
    }
    return { publishing: true, publisher: state };
  }

  /** Applies a config version and its stores: restarts the publisher when what it publishes changed. */
  apply(config: Config, stores: ReadonlyMap<string, StoreReader>): Promise<void> {
    return this.#serialized(async () => {
      const target = targetOf(config, stores);
      const elected = config.leaderElection.enabled;
      const roleChanged = elected !== this.#elected;
      if (roleChanged) this.#leadership = elected ? null : undefined;
      this.#elected = elected;
      if (target !== undefined) this.#options.metrics?.declare?.(target.resources.map((resource) => resource.name));
      if (!roleChanged && sameTarget(target, this.#target)) return;
      this.#target = target;
      await this.#restart();
    });
  }

  /** This replica started (`epoch`: when it became leader, ms since the Unix epoch) or stopped leading. */
  setLeading(leading: boolean, epoch: number): Promise<void> {
    return this.#serialized(async () => {
      this.#elected = true;
      this.#leadership = leading ? BigInt(epoch) : null;
      await this.#restart();
    });
  }

  /** Stops publishing (shutdown). */
  stop(): Promise<void> {
    return this.#serialized(async () => {
      this.#target = undefined;
      await this.#restart();
    });
  }

  async #restart(): Promise<void> {
    const previous = this.#publisher;
    this.#publisher = undefined;
    await previous?.stop();
    const target = this.#target;
    const epoch = this.#leadership === undefined ? BigInt(this.#options.startedAtMs) : this.#leadership;
    if (target === undefined || epoch === null) return;
    this.#publisher = new Publisher({
      config: target.config,
      clusters: target.clusters,
      resources: target.resources,
      connect: this.#options.connect,
      claim: { identity: this.#options.identity, epoch },
      waitForSync: this.#options.waitForSync,
      clock: this.#options.clock,
      logger: this.#options.logger,
      ...(this.#options.random ? { random: this.#options.random } : {}),
      ...(this.#options.metrics ? { metrics: this.#options.metrics } : {}),
      ...(this.#options.onError ? { onError: this.#options.onError } : {}),
    });
    void this.#publisher.start();
  }

  /** Runs changes one after another, so a reload and a leadership change never race. */
  #serialized(change: () => Promise<void>): Promise<void> {
    this.#changing = this.#changing.then(change, change);
    return this.#changing;
  }
}

/** What `config` publishes, or undefined when it publishes nothing. */
function targetOf(config: Config, stores: ReadonlyMap<string, StoreReader>): Target | undefined {
  const publish = config.publish;
  if (publish === undefined) return undefined;
  const resources: PublishedResource[] = [];
  for (const resource of config.watchedResources) {
    const store = stores.get(resource.name);
    if (store !== undefined && isPublishedStore(store)) resources.push(publishedResource(resource, store));
  }
  if (resources.length === 0) return undefined;
  const sourceClusters = config.source.kubernetes?.clusters?.map((cluster) => cluster.name) ?? [];
  const clusters = sourceClusters.length > 0 ? sourceClusters : [publish.cluster];
  const key = JSON.stringify({ publish, clusters, resources: resources.map(({ name, group, resource }) => ({ name, group, resource })) });
  return { key, config: publish, clusters, resources, stores: resources.map((r) => r.store) };
}

function sameTarget(a: Target | undefined, b: Target | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.key === b.key && a.stores.length === b.stores.length && a.stores.every((store, i) => store === b.stores[i]);
}
