/**
 * The Kubernetes source: one Reflector per watched resource and cluster. Each cluster has
 * its own API client (built from its kubeconfig unless one is handed in) and its own
 * discovery cache; the reflectors of one cluster share them. With several clusters
 * (`source.kubernetes.clusters`) every object is stamped with metadata.cluster.
 */
import type { ClusterConfig, KubernetesSourceConfig, WatchedResourceConfig } from '../../config/types.ts';
import type { Logger } from '../../log.ts';
import { clusterSinks } from '../cluster-sinks.ts';
import { WatchError, type ResourceWatchStatus, type Source, type WatchSink } from '../index.ts';
import { formatIdentity, type KubeObject, type ObjectIdentity } from '../../k8s.ts';
import { createApiClient, type ApiClient } from '../../kube/index.ts';
import { systemClock, type Clock } from '../../time/clock.ts';
import { Discovery } from './discovery.ts';
import { fetchObject, getJson } from './fetch.ts';
import { Reflector } from './reflector.ts';
import { combineStatus } from './cluster-status.ts';
import type { WatchStats } from '../stats.ts';
import { resolveTuning, type Tuning } from './tuning.ts';

/** How to build a KubernetesSource. */
export interface KubernetesSourceOptions {
  /** The `source.kubernetes` config: kubeconfig, context, clusters, pageSize, streamingList. */
  config: KubernetesSourceConfig;
  /** The watched resources; each needs a sink of the same name at start. */
  resources: readonly WatchedResourceConfig[];
  logger: Logger;
  /** Default: the system clock. */
  clock?: Clock;
  /** Uniform in [0, 1); default Math.random. */
  random?: () => number;
  /**
   * Default: an HttpApiClient from config.kubeconfig / config.context (or KUBECONFIG,
   * ~/.kube/config, in-cluster). With config.clusters: the client of every cluster not in
   * `clients`.
   */
  client?: ApiClient;
  /** With config.clusters: clients by cluster name (default: built from each cluster's kubeconfig). */
  clients?: ReadonlyMap<string, ApiClient>;
  /** Overrides of the timing defaults (tests use small values); `pageSize` wins over config.pageSize. */
  tuning?: Partial<Tuning>;
  /**
   * Watched resources (by name) to watch as metadata only (PartialObjectMetadata): objects
   * keep apiVersion, kind and metadata; bodies are fetched on demand by the store.
   */
  metadataOnly?: readonly string[];
}

/** Where one cluster is reached: its client and discovery cache (name undefined for a single cluster). */
interface Endpoint {
  readonly name: string | undefined;
  readonly client: ApiClient;
  readonly discovery: Discovery;
  /** Built here, so closed here. */
  readonly owned: boolean;
}

/**
 * Watches resources on one or several Kubernetes API servers and delivers them into
 * sinks. `start` rejects only for problems of the source as a whole (no kubeconfig for a
 * cluster, a missing sink); per-resource problems (RBAC, unknown kind, an unreachable
 * server) are retried forever and reported through `status()` and the log, naming the
 * cluster. With several clusters, a resource is synced once it synced in every cluster,
 * and a relist in one cluster never touches the objects of another.
 */
export class KubernetesSource implements Source {
  readonly #options: KubernetesSourceOptions;
  readonly #tuning: Tuning;
  readonly #log: Logger;
  #reflectors: Reflector[] = [];
  #endpoints: Endpoint[] = [];

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
    this.#endpoints = this.#connect();
    this.#reflectors = this.#options.resources.flatMap((resource) => this.#reflectorsOf(resource, sinks.get(resource.name)!));
    for (const reflector of this.#reflectors) reflector.start();
    const clusters = this.#clusterNames();
    this.#log.info({ resources: this.#options.resources.map((r) => r.name), ...(clusters ? { clusters } : {}) }, 'started');
  }

  async stop(): Promise<void> {
    await Promise.all(this.#reflectors.map((reflector) => reflector.stop()));
    this.#reflectors = [];
    for (const endpoint of this.#endpoints) if (endpoint.owned) endpoint.client.close();
    this.#endpoints = [];
  }

  /** Per watched resource, in configured order (with the state per cluster when there are several). */
  status(): ResourceWatchStatus[] {
    if (this.#clusterNames() === undefined) return this.#reflectors.map((reflector) => reflector.status());
    return this.#options.resources
      .map((resource) => this.#reflectors.filter((r) => r.name === resource.name))
      .filter((reflectors) => reflectors.length > 0)
      .map((reflectors) => combineStatus(reflectors[0]!.name, reflectors.map((r) => ({ cluster: r.cluster!, ...r.status() }))));
  }

  /** Counters per watched resource (and cluster, each naming it), for the metrics endpoint. */
  stats(): WatchStats[] {
    return this.#reflectors.map((reflector) => reflector.stats());
  }

  /**
   * GETs the current version of one object of a watched resource from the API server of
   * its cluster (for on-demand stores); undefined when it does not exist. Requires a
   * started source; with several clusters `id.cluster` must name one of them, and the
   * object comes back with metadata.cluster set. Rejects with a WatchError naming the
   * cluster, verb and object (403, 5xx...) or the network error; gives up after
   * `tuning.fetchTimeoutMs` unless `signal` says otherwise.
   */
  async fetch(resource: string, id: ObjectIdentity, signal?: AbortSignal): Promise<KubeObject | undefined> {
    const config = this.#options.resources.find((r) => r.name === resource);
    if (!config) throw new WatchError(`fetch: ${resource} is not a watched resource`, { resource });
    const shown = formatIdentity(id.cluster, id.namespace, id.name);
    if (this.#endpoints.length === 0) throw new WatchError(`fetch ${resource} ${shown}: the kubernetes source is not started`, { resource });
    const endpoint = this.#endpoints.find((e) => e.name === id.cluster);
    if (!endpoint) throw new WatchError(`fetch ${resource} ${shown}: cluster ${JSON.stringify(id.cluster ?? '')} is not watched`, { resource });
    const abort = signal ?? AbortSignal.timeout(this.#tuning.fetchTimeoutMs);
    const what = `API discovery of ${config.apiVersion}`;
    const { client, discovery } = endpoint;
    try {
      const target = await discovery.resolve(config, (path) => getJson(client, path, abort, { verb: 'get', resource, what }));
      const obj = await fetchObject(client, target, { resource, namespace: id.namespace, name: id.name }, abort);
      if (obj !== undefined && endpoint.name !== undefined) obj.metadata.cluster = endpoint.name;
      return obj;
    } catch (err) {
      if (endpoint.name === undefined || !(err instanceof Error)) throw err;
      const status = (err as { status?: unknown }).status;
      throw new WatchError(`cluster "${endpoint.name}": ${err.message}`, { resource, ...(typeof status === 'number' ? { status } : {}), cause: err });
    }
  }

  /** The configured cluster names, or undefined for a single cluster. */
  #clusterNames(): string[] | undefined {
    return this.#options.config.clusters?.map((c) => c.name);
  }

  /** One endpoint per cluster (a single one without clusters); closes what it built if one fails. */
  #connect(): Endpoint[] {
    const clusters = this.#options.config.clusters;
    if (clusters === undefined) return [this.#endpoint(undefined, this.#options.client, {})];
    const endpoints: Endpoint[] = [];
    try {
      for (const cluster of clusters) endpoints.push(this.#endpoint(cluster.name, this.#options.clients?.get(cluster.name) ?? this.#options.client, cluster));
    } catch (err) {
      for (const endpoint of endpoints) if (endpoint.owned) endpoint.client.close();
      throw err;
    }
    return endpoints;
  }

  #endpoint(name: string | undefined, given: ApiClient | undefined, cluster: Partial<ClusterConfig>): Endpoint {
    if (given) return { name, client: given, discovery: new Discovery(), owned: false };
    const { kubeconfig, context } = this.#options.config;
    const options = { kubeconfig: cluster.kubeconfig ?? kubeconfig, context: cluster.context ?? context, server: cluster.server };
    try {
      return { name, client: createApiClient(options), discovery: new Discovery(), owned: true };
    } catch (err) {
      if (!(err instanceof Error)) throw err;
      throw new WatchError(name === undefined ? err.message : `cluster "${name}": ${err.message}`, { cause: err });
    }
  }

  /** The reflectors of `resource`: one per cluster, each delivering into its cluster's part of `sink`. */
  #reflectorsOf(resource: WatchedResourceConfig, sink: WatchSink): Reflector[] {
    const names = this.#clusterNames();
    if (names === undefined) return [this.#reflector(resource, sink, this.#endpoints[0]!)];
    const sinks = clusterSinks(sink, names);
    return this.#endpoints.map((endpoint) => this.#reflector(resource, sinks.get(endpoint.name!)!, endpoint));
  }

  #reflector(resource: WatchedResourceConfig, sink: WatchSink, endpoint: Endpoint): Reflector {
    return new Reflector({
      resource,
      sink,
      client: endpoint.client,
      discovery: endpoint.discovery,
      logger: this.#log,
      clock: this.#options.clock ?? systemClock,
      random: this.#options.random ?? Math.random,
      tuning: this.#tuning,
      streamingList: this.#options.config.streamingList,
      metadataOnly: this.#options.metadataOnly?.includes(resource.name) ?? false,
      ...(endpoint.name === undefined ? {} : { cluster: endpoint.name }),
    });
  }
}
