/**
 * The shared source: a renderer reads what informant publishers mirrored into a shared
 * store (etcd, PostgreSQL, …) instead of watching a Kubernetes API server. One
 * Subscription per watched resource, all sharing one repository (connection); the
 * controller shares one connection among all its shared sources with the same connection
 * settings (`connect`). The source speaks only the Repository interface.
 *
 * Keys follow KeyLayout: a resource's objects of every cluster live under one prefix, so
 * with `clusters: all` (or several clusters) one watch per resource covers them all and
 * unsubscribed clusters are filtered out client-side; with one cluster only that
 * cluster's prefix is read. Each object gets `metadata.cluster` from its key.
 *
 * `fetch` reads one object from the store (for `store: on-demand`): from the key of the
 * cluster its identity names (stores always name it: every object from this source has
 * `metadata.cluster`); a caller that names none gets the only subscribed cluster, or the
 * cluster the object was delivered from, and a WatchError when that is ambiguous.
 */
import { DEFAULT_LIMITS } from '../../config/index.ts';
import type { SharedSourceConfig, WatchedResourceConfig } from '../../config/types.ts';
import { formatIdentity, type KubeObject, type ObjectIdentity } from '../../k8s.ts';
import type { Logger } from '../../log.ts';
import { isKvError, type Repository } from '../../kv/index.ts';
import { KeyLayout, storageResourceOf } from '../../kv/layout.ts';
import { WatchError, type ObjectSource, type ResourceWatchStatus, type WatchSink } from '../index.ts';
import type { BackoffSettings } from '../../time/backoff.ts';
import { systemClock, type Clock } from '../../time/clock.ts';
import type { WatchStats } from '../stats.ts';
import { compileFilter, type ResourceFilter } from './resource-filter.ts';
import { Subscription } from './subscription.ts';

/** What errors call this source. */
const SOURCE = 'shared source';

/** Retry delays after errors (as the Kubernetes reflector's: 0.8 s doubling to 30 s, jittered). */
export const DEFAULTS: Readonly<BackoffSettings> = Object.freeze({
  initialMs: 800,
  capMs: 30_000,
  /** A failure this long after the previous one starts again from the initial delay. */
  resetAfterMs: 120_000,
});

/** How to build a SharedSource. */
export interface SharedSourceOptions {
  /** The `source.shared` config: backend and its settings, prefix, clusters. */
  config: Pick<SharedSourceConfig, 'prefix' | 'clusters'>;
  /** The watched resources; each needs a sink of the same name at start. */
  resources: readonly WatchedResourceConfig[];
  logger: Logger;
  /** Follow changes (default), or deliver the current state once (`informant render`). */
  watch?: boolean;
  /** Hears problems that do not stop the source: a record that does not decode. */
  onError?: (err: WatchError) => void;
  /** The repository to read, owned by the caller; otherwise one from `connect`. */
  repository?: Repository;
  /**
   * Opens the connection the source reads through and closes on stop (a shared
   * connection's handle, see kv/shared-connections.ts); needed without `repository`.
   */
  connect?: (logger: Logger) => Repository;
  /** Default: the system clock. */
  clock?: Clock;
  /** Uniform in [0, 1); default Math.random. */
  random?: () => number;
  /** Overrides of the retry delays. */
  backoff?: Partial<BackoffSettings>;
  /** limits.max_object_size: values longer than this are refused unparsed; default the config's default. */
  maxObjectBytes?: number;
}

/** What one watched resource reads. */
interface Plan {
  readonly resource: WatchedResourceConfig;
  readonly group: string;
  readonly storageResource: string;
  readonly prefix: string;
  readonly filter: ResourceFilter;
}

/** Reads watched resources from a shared store and delivers them into sinks; see the module comment. */
export class SharedSource implements ObjectSource {
  readonly #options: SharedSourceOptions;
  readonly #log: Logger;
  readonly #layout: KeyLayout;
  readonly #plans: Plan[];
  #subscriptions: Subscription[] = [];
  #repository: Repository | undefined;
  #ownsRepository = false;

  /** Compiles each resource's key prefix and filter; throws a WatchError naming a resource that cannot be read. */
  constructor(options: SharedSourceOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'watcher.shared' });
    this.#layout = wrap(SOURCE, () => new KeyLayout(options.config.prefix));
    this.#plans = options.resources.map((resource) => this.#plan(resource));
  }

  /** Starts every subscription; rejects with a WatchError for a missing sink or a connection that cannot be set up. */
  async start(sinks: ReadonlyMap<string, WatchSink>): Promise<void> {
    if (this.#subscriptions.length > 0) throw new WatchError(`${SOURCE} already started`);
    const missing = this.#plans.find((plan) => !sinks.has(plan.resource.name));
    if (missing) throw new WatchError(`no sink for watched resource ${missing.resource.name}`, { resource: missing.resource.name });
    const repository = this.#connect();
    this.#subscriptions = this.#plans.map((plan) => this.#subscription(plan, sinks.get(plan.resource.name)!, repository));
    for (const subscription of this.#subscriptions) subscription.start();
    this.#log.info({ resources: this.#plans.map((p) => p.resource.name), prefix: this.#layout.root }, 'started');
  }

  /** Stops every subscription and closes the connection it opened; no watch or timer is left. */
  async stop(): Promise<void> {
    await Promise.all(this.#subscriptions.map((subscription) => subscription.stop()));
    this.#subscriptions = [];
    const repository = this.#repository;
    this.#repository = undefined;
    if (this.#ownsRepository) await repository?.close();
  }

  status(): ResourceWatchStatus[] {
    return this.#subscriptions.map((subscription) => subscription.status());
  }

  /** Per-resource counters, in the Kubernetes reflector's shape (the controller exports them as watch metrics). */
  stats(): WatchStats[] {
    return this.#subscriptions.map((subscription) => subscription.stats());
  }

  /**
   * The current object `id` of the watched resource `resource`, read from the store, or
   * undefined when it does not exist (or no longer matches the resource). An id with a
   * cluster is read from that cluster's key; one without is read from the only cluster
   * subscribed, or from the cluster it was delivered from. Rejects with a WatchError when
   * the store cannot be read, the name without a cluster is ambiguous across clusters, the
   * resource is not watched, or `signal` aborts.
   */
  async fetch(resource: string, id: ObjectIdentity, signal?: AbortSignal): Promise<KubeObject | undefined> {
    signal?.throwIfAborted();
    const index = this.#plans.findIndex((plan) => plan.resource.name === resource);
    if (index < 0) throw new WatchError(`fetch: ${resource} is not a watched resource`, { resource });
    const subscription = this.#subscriptions[index];
    const described = formatIdentity(id.cluster, id.namespace, id.name);
    if (!subscription) throw new WatchError(`fetch ${resource} ${described}: the ${SOURCE} is not started`, { resource });
    const key = this.#keyToFetch(this.#plans[index]!, subscription, id);
    if (key === undefined) return undefined;
    try {
      return await abortable(subscription.read(key), signal);
    } catch (err) {
      if (err instanceof WatchError || signal?.aborted) throw err;
      throw new WatchError(`fetch ${resource} ${described}: ${(err as Error).message}`, { resource, cause: err });
    }
  }

  #keyToFetch(plan: Plan, subscription: Subscription, id: ObjectIdentity): string | undefined {
    const { clusters } = this.#options.config;
    const { namespace, name } = id;
    const address = { group: plan.group, resource: plan.storageResource, namespace, name };
    const only = clusters !== 'all' && clusters.length === 1 ? clusters[0] : undefined;
    const cluster = id.cluster ?? only;
    if (cluster !== undefined) return wrap(plan.resource.name, () => this.#layout.keyOf({ ...address, cluster }));
    const keys = subscription.keysOf(namespace, name);
    if (keys.length <= 1) return keys[0];
    const where = keys.map((key) => this.#layout.parse(key)?.cluster).join(', ');
    throw new WatchError(`fetch ${plan.resource.name} ${namespace}/${name}: delivered from several clusters (${where}); a fetch names no cluster`, {
      resource: plan.resource.name,
    });
  }

  #plan(resource: WatchedResourceConfig): Plan {
    const { group, resource: storageResource } = wrap(resource.name, () => storageResourceOf(resource));
    const { clusters } = this.#options.config;
    const prefix =
      clusters !== 'all' && clusters.length === 1
        ? wrap(resource.name, () => this.#layout.clusterPrefix(group, storageResource, clusters[0]!))
        : wrap(resource.name, () => this.#layout.resourcePrefix(group, storageResource));
    return { resource, group, storageResource, prefix, filter: compileFilter(resource, clusters) };
  }

  #connect(): Repository {
    if (this.#options.repository) {
      this.#repository = this.#options.repository;
      return this.#repository;
    }
    const connect = this.#options.connect;
    if (connect === undefined) throw new WatchError(`${SOURCE}: neither a repository nor a way to connect was given`);
    const repository = wrap(SOURCE, () => connect(this.#options.logger));
    this.#repository = repository;
    this.#ownsRepository = true;
    return repository;
  }

  #subscription(plan: Plan, sink: WatchSink, repository: Repository): Subscription {
    return new Subscription({
      resource: plan.resource,
      sink,
      repository,
      layout: this.#layout,
      prefix: plan.prefix,
      filter: plan.filter,
      watch: this.#options.watch ?? true,
      clock: this.#options.clock ?? systemClock,
      random: this.#options.random ?? Math.random,
      backoff: { ...DEFAULTS, ...this.#options.backoff },
      logger: this.#log,
      onError: this.#options.onError ?? (() => undefined),
      maxObjectBytes: this.#options.maxObjectBytes ?? DEFAULT_LIMITS.maxObjectBytes,
    });
  }
}

/** Runs `fn`, turning a KvError (an invalid prefix or segment, an unreadable file) into a WatchError naming `what`. */
function wrap<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!isKvError(err)) throw err;
    const resource = what === SOURCE ? {} : { resource: what };
    throw new WatchError(`${what}: ${err.message}`, { ...resource, cause: err });
  }
}

/** `promise`, or a rejection with the signal's reason once it aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
