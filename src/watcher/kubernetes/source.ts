/**
 * The Kubernetes source: one Reflector per watched resource, all sharing one API client
 * (built from the kubeconfig unless one is handed in) and one discovery cache.
 */
import type { KubernetesSourceConfig, WatchedResourceConfig } from '../../config/types.ts';
import type { Logger } from '../../log.ts';
import { WatchError, type ResourceWatchStatus, type Source, type WatchSink } from '../index.ts';
import type { KubeObject } from '../../k8s.ts';
import type { ApiClient } from './client.ts';
import { systemClock, type Clock } from './clock.ts';
import { Discovery } from './discovery.ts';
import { fetchObject, getJson } from './fetch.ts';
import { createApiClient } from './kubeconfig.ts';
import { Reflector } from './reflector.ts';
import type { ReflectorStats } from './stats.ts';
import { resolveTuning, type Tuning } from './tuning.ts';

/** How to build a KubernetesSource. */
export interface KubernetesSourceOptions {
  /** The `source.kubernetes` config: kubeconfig, context, pageSize, streamingList. */
  config: KubernetesSourceConfig;
  /** The watched resources; each needs a sink of the same name at start. */
  resources: readonly WatchedResourceConfig[];
  logger: Logger;
  /** Default: the system clock. */
  clock?: Clock;
  /** Uniform in [0, 1); default Math.random. */
  random?: () => number;
  /** Default: an HttpApiClient from config.kubeconfig / config.context (or KUBECONFIG, ~/.kube/config, in-cluster). */
  client?: ApiClient;
  /** Overrides of the timing defaults (tests use small values); `pageSize` wins over config.pageSize. */
  tuning?: Partial<Tuning>;
  /**
   * Watched resources (by name) to watch as metadata only (PartialObjectMetadata): objects
   * keep apiVersion, kind and metadata; bodies are fetched on demand by the store.
   */
  metadataOnly?: readonly string[];
}

/**
 * Watches resources on a Kubernetes API server and delivers them into sinks. `start`
 * rejects only for problems of the source as a whole (no kubeconfig, a missing sink);
 * per-resource problems (RBAC, unknown kind, an unreachable server) are retried forever
 * and reported through `status()` and the log.
 */
export class KubernetesSource implements Source {
  readonly #options: KubernetesSourceOptions;
  readonly #tuning: Tuning;
  readonly #log: Logger;
  #reflectors: Reflector[] = [];
  #ownedClient: ApiClient | undefined;
  #client: ApiClient | undefined;
  #discovery = new Discovery();

  constructor(options: KubernetesSourceOptions) {
    this.#options = options;
    try {
      this.#tuning = resolveTuning({ pageSize: options.config.pageSize, ...options.tuning });
    } catch (err) {
      throw new WatchError(`kubernetes source: ${(err as Error).message}`, { cause: err });
    }
    this.#log = options.logger.child({ component: 'watcher.kubernetes' });
    const names = new Set(options.resources.map((r) => r.name));
    const unknown = (options.metadataOnly ?? []).filter((name) => !names.has(name));
    if (unknown.length > 0) {
      throw new WatchError(`kubernetes source: metadataOnly names unknown watched resources: ${unknown.join(', ')}`);
    }
  }

  async start(sinks: ReadonlyMap<string, WatchSink>): Promise<void> {
    if (this.#reflectors.length > 0) throw new WatchError('kubernetes source already started');
    for (const resource of this.#options.resources) {
      if (!sinks.has(resource.name)) {
        throw new WatchError(`no sink for watched resource ${resource.name}`, { resource: resource.name });
      }
    }
    const client = this.#createClient();
    this.#client = client;
    this.#discovery = new Discovery();
    this.#reflectors = this.#options.resources.map((resource) =>
      this.#reflector(resource, sinks.get(resource.name)!, client, this.#discovery),
    );
    for (const reflector of this.#reflectors) reflector.start();
    this.#log.info({ resources: this.#reflectors.map((r) => r.name) }, 'started');
  }

  async stop(): Promise<void> {
    await Promise.all(this.#reflectors.map((reflector) => reflector.stop()));
    this.#reflectors = [];
    this.#client = undefined;
    this.#ownedClient?.close();
    this.#ownedClient = undefined;
  }

  status(): ResourceWatchStatus[] {
    return this.#reflectors.map((reflector) => reflector.status());
  }

  /** Counters per watched resource, for the metrics endpoint. */
  stats(): ReflectorStats[] {
    return this.#reflectors.map((reflector) => reflector.stats());
  }

  /**
   * GETs the current version of one object of a watched resource from the API server (for
   * on-demand stores); undefined when it does not exist. Requires a started source. Rejects
   * with a WatchError naming the verb and object (403, 5xx...) or the network error; gives
   * up after `tuning.fetchTimeoutMs` unless `signal` says otherwise.
   */
  async fetch(resource: string, namespace: string, name: string, signal?: AbortSignal): Promise<KubeObject | undefined> {
    const config = this.#options.resources.find((r) => r.name === resource);
    if (!config) throw new WatchError(`fetch: ${resource} is not a watched resource`, { resource });
    const client = this.#client;
    if (!client) throw new WatchError(`fetch ${resource} ${namespace}/${name}: the kubernetes source is not started`, { resource });
    const abort = signal ?? AbortSignal.timeout(this.#tuning.fetchTimeoutMs);
    const what = `API discovery of ${config.apiVersion}`;
    const target = await this.#discovery.resolve(config, (path) => getJson(client, path, abort, { verb: 'get', resource, what }));
    return fetchObject(client, target, { resource, namespace, name }, abort);
  }

  #createClient(): ApiClient {
    if (this.#options.client) return this.#options.client;
    const { kubeconfig, context } = this.#options.config;
    this.#ownedClient = createApiClient({ kubeconfig, context });
    return this.#ownedClient;
  }

  #reflector(resource: WatchedResourceConfig, sink: WatchSink, client: ApiClient, discovery: Discovery): Reflector {
    return new Reflector({
      resource,
      sink,
      client,
      discovery,
      logger: this.#log,
      clock: this.#options.clock ?? systemClock,
      random: this.#options.random ?? Math.random,
      tuning: this.#tuning,
      streamingList: this.#options.config.streamingList,
      metadataOnly: this.#options.metadataOnly?.includes(resource.name) ?? false,
    });
  }
}
