/**
 * The Kubernetes source: one Reflector per distinct watch and cluster. Each cluster has
 * its own API client (built from its kubeconfig unless one is handed in) and its own
 * discovery cache; the reflectors of one cluster share them. With several clusters
 * (`source.kubernetes.clusters`) every object is stamped with metadata.cluster; with kcp
 * (`source.kubernetes.kcp`) one wildcard watch per resource covers every logical cluster,
 * each object's metadata.cluster taken from its kcp.io/cluster annotation. Watched
 * resources of the same cluster, api_version, kind, namespace and selectors share one
 * list/watch (SharedWatches), within this source and with every other source built with
 * the same SharedWatches (the controller's).
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
import { SharedWatches, type ConnectionHandle, type ConnectionSpec, type WatchMembership } from './shared-watches.ts';
import { KcpClient, kcpBase, KCP_CLUSTER_ANNOTATION, LogicalClusterSink, stampLogicalCluster } from './kcp.ts';
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
   * keep apiVersion, kind and metadata; bodies are fetched on demand by the store. A
   * watch shared with a resource that needs full objects streams full objects.
   */
  metadataOnly?: readonly string[];
  /**
   * The connections and watches this source's resources join (the controller's, shared by
   * all its sources); default: a set of its own, shared by this source's resources only.
   */
  watches?: SharedWatches;
}

/** Where one cluster is reached (name undefined for a single cluster): a share of its connection. */
interface Endpoint extends ConnectionHandle {
  readonly name: string | undefined;
  /** The connection's key: the watches of this cluster are keyed by it. */
  readonly key: string;
}

/** One watched resource's share of a watch in one cluster. */
interface Subscription {
  readonly resource: string;
  readonly cluster: string | undefined;
  readonly membership: WatchMembership;
}

/** Ids of API clients handed in (tests): connections over the same client are one connection. */
const clientIds = new WeakMap<ApiClient, number>();
let lastClientId = 0;

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
  readonly #watches: SharedWatches;
  #subscriptions: Subscription[] = [];
  #endpoints: Endpoint[] = [];
  #started = false;

  constructor(options: KubernetesSourceOptions) {
    this.#options = options;
    try {
      this.#tuning = resolveTuning({ pageSize: options.config.pageSize, ...options.tuning });
    } catch (err) {
      throw new WatchError(`kubernetes source: ${(err as Error).message}`, { cause: err });
    }
    this.#log = options.logger.child({ component: 'watcher.kubernetes' });
    this.#watches = options.watches ?? new SharedWatches({ logger: options.logger });
    const names = new Set(options.resources.map((r) => r.name));
    const unknown = (options.metadataOnly ?? []).filter((name) => !names.has(name));
    if (unknown.length > 0) {
      throw new WatchError(`kubernetes source: metadataOnly names unknown watched resources: ${unknown.join(', ')}`);
    }
  }

  async start(sinks: ReadonlyMap<string, WatchSink>): Promise<void> {
    if (this.#started) throw new WatchError('kubernetes source already started');
    for (const resource of this.#options.resources) {
      if (!sinks.has(resource.name)) {
        throw new WatchError(`no sink for watched resource ${resource.name}`, { resource: resource.name });
      }
    }
    this.#endpoints = this.#connect();
    this.#started = true;
    this.#subscriptions = this.#options.resources.flatMap((resource) => this.#join(resource, sinks.get(resource.name)!));
    const clusters = this.#clusterNames();
    this.#log.info({ resources: this.#options.resources.map((r) => r.name), ...(clusters ? { clusters } : {}) }, 'started');
  }

  /** Leaves every watch (the last member of a watch stops it) and releases the connections. */
  async stop(): Promise<void> {
    const subscriptions = this.#subscriptions;
    this.#subscriptions = [];
    await Promise.all(subscriptions.map((subscription) => subscription.membership.leave()));
    for (const endpoint of this.#endpoints) endpoint.release();
    this.#endpoints = [];
    this.#started = false;
  }

  /**
   * Per watched resource, in configured order (with the state per cluster when there are
   * several): synced once it got its own list, the watch's current problem, and the
   * other watched resources it shares the watch with.
   */
  status(): ResourceWatchStatus[] {
    const single = this.#clusterNames() === undefined;
    return this.#options.resources.flatMap((resource) => {
      const mine = this.#subscriptions.filter((s) => s.resource === resource.name);
      if (mine.length === 0) return [];
      const sharedWith = [...new Set(mine.flatMap((s) => s.membership.sharedWith))];
      const shared = sharedWith.length > 0 ? { sharedWith } : {};
      if (single) return [{ ...stateOf(mine[0]!), resource: resource.name, ...shared }];
      return [{ ...combineStatus(resource.name, mine.map((s) => ({ cluster: s.cluster!, ...stateOf(s) }))), ...shared }];
    });
  }

  /** Counters per watched resource (and cluster, each naming it), for the metrics endpoint; shared watches' counters under each of their resources. */
  stats(): WatchStats[] {
    return this.#subscriptions.map((s) => ({ ...s.membership.reflector.stats(), resource: s.resource }));
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
    const endpoint = this.#options.config.kcp ? this.#endpoints[0] : this.#endpoints.find((e) => e.name === id.cluster);
    if (!endpoint) throw new WatchError(`fetch ${resource} ${shown}: cluster ${JSON.stringify(id.cluster ?? '')} is not watched`, { resource });
    const abort = signal ?? AbortSignal.timeout(this.#tuning.fetchTimeoutMs);
    const what = `API discovery of ${config.apiVersion}`;
    const { client: watching, discovery } = endpoint;
    const client = this.#fetchClient(watching, resource, id, shown);
    const cluster = endpoint.name ?? (watching instanceof KcpClient ? id.cluster : undefined);
    try {
      const target = await discovery.resolve(config, (path) => getJson(watching, path, abort, { verb: 'get', resource, what }));
      const obj = await fetchObject(client, target, { resource, namespace: id.namespace, name: id.name }, abort);
      if (obj !== undefined && cluster !== undefined) obj.metadata.cluster = cluster;
      return obj;
    } catch (err) {
      if (endpoint.name === undefined || !(err instanceof Error)) throw err;
      const status = (err as { status?: unknown }).status;
      throw new WatchError(`cluster "${endpoint.name}": ${err.message}`, { resource, ...(typeof status === 'number' ? { status } : {}), cause: err });
    }
  }

  /** The client to GET one object with: the endpoint's, or for kcp the object's logical cluster's. */
  #fetchClient(watching: ApiClient, resource: string, id: ObjectIdentity, shown: string): ApiClient {
    if (!(watching instanceof KcpClient)) return watching;
    if (id.cluster === undefined) throw new WatchError(`fetch ${resource} ${shown}: a kcp object needs its logical cluster`, { resource });
    return watching.forCluster(id.cluster);
  }

  /** The configured cluster names, or undefined for a single cluster. */
  #clusterNames(): string[] | undefined {
    return this.#options.config.clusters?.map((c) => c.name);
  }

  /** One endpoint per cluster (a single one without clusters, or for every kcp logical cluster); releases what it took if one fails. */
  #connect(): Endpoint[] {
    const clusters = this.#options.config.clusters;
    if (this.#options.config.kcp !== undefined) return [this.#kcpEndpoint(this.#options.client)];
    if (clusters === undefined) return [this.#endpoint(undefined, this.#options.client, {})];
    const endpoints: Endpoint[] = [];
    try {
      for (const cluster of clusters) endpoints.push(this.#endpoint(cluster.name, this.#options.clients?.get(cluster.name) ?? this.#options.client, cluster));
    } catch (err) {
      for (const endpoint of endpoints) endpoint.release();
      throw err;
    }
    return endpoints;
  }

  /** A share of the connection to one cluster: by the client handed in, else by kubeconfig, context and server. */
  #endpoint(name: string | undefined, given: ApiClient | undefined, cluster: Partial<ClusterConfig>): Endpoint {
    const { kubeconfig, context } = this.#options.config;
    const options = { kubeconfig: cluster.kubeconfig ?? kubeconfig, context: cluster.context ?? context, server: cluster.server };
    const key = JSON.stringify({ cluster: name ?? null, ...(given ? { client: clientId(given) } : options) });
    const spec: ConnectionSpec = given
      ? { open: () => ({ client: given, discovery: new Discovery() }), owned: false }
      : { open: () => ({ client: createApiClient(options), discovery: new Discovery() }), owned: true };
    try {
      return { ...this.#watches.connect(key, spec), name, key };
    } catch (err) {
      if (!(err instanceof Error)) throw err;
      throw new WatchError(name === undefined ? err.message : `cluster "${name}": ${err.message}`, { cause: err });
    }
  }

  /**
   * The wildcard endpoint of kcp: requests to `<base>/clusters/*` (base: kcp.server, else
   * the context's server, without a /clusters/<name> suffix), by the client handed in (its
   * server being the base) or by kubeconfig, context and kcp.server.
   */
  #kcpEndpoint(given: ApiClient | undefined): Endpoint {
    const { kubeconfig, context, kcp } = this.#options.config;
    const server = kcp?.server;
    const options = { kubeconfig, context, server: server === undefined ? kcpBase : kcpBase(server) };
    const key = JSON.stringify({ kcp: server ?? null, ...(given ? { client: clientId(given) } : { kubeconfig, context }) });
    const open = () => ({ client: KcpClient.wildcard(given ?? createApiClient(options)), discovery: new Discovery() });
    const spec: ConnectionSpec = { open, owned: given === undefined };
    try {
      return { ...this.#watches.connect(key, spec), name: undefined, key };
    } catch (err) {
      if (!(err instanceof Error)) throw err;
      throw new WatchError(`kcp: ${err.message}`, { cause: err });
    }
  }

  /** The shares of `resource` in the watches of every cluster, each delivering into its cluster's part of `sink`. */
  #join(resource: WatchedResourceConfig, sink: WatchSink): Subscription[] {
    if (this.#options.config.kcp !== undefined) return [this.#member(resource, this.#logicalClusters(resource, sink), this.#endpoints[0]!)];
    const names = this.#clusterNames();
    if (names === undefined) return [this.#member(resource, sink, this.#endpoints[0]!)];
    const sinks = clusterSinks(sink, names);
    return this.#endpoints.map((endpoint) => this.#member(resource, sinks.get(endpoint.name!)!, endpoint));
  }

  #member(resource: WatchedResourceConfig, sink: WatchSink, endpoint: Endpoint): Subscription {
    const metadataOnly = this.#options.metadataOnly?.includes(resource.name) ?? false;
    const membership = this.#watches.join(this.#watchKey(resource, endpoint), sink, {
      name: resource.name,
      metadataOnly,
      create: (fanout, metadata) => this.#reflector(resource, fanout, endpoint, metadata),
    });
    return { resource: resource.name, cluster: endpoint.name, membership };
  }

  /** `sink` behind a wildcard watch: objects stamped with their logical cluster (the unattributed ones logged and left out). */
  #logicalClusters(resource: WatchedResourceConfig, sink: WatchSink): WatchSink {
    return new LogicalClusterSink(sink, (obj, value) => {
      const found = value === undefined ? 'no' : `an unusable (${JSON.stringify(String(value).slice(0, 100))})`;
      this.#log.warn(
        { resource: resource.name, namespace: obj.metadata.namespace, name: obj.metadata.name },
        `watched resource "${resource.name}": ${obj.metadata.namespace ?? ''}/${obj.metadata.name} has ${found} ${KCP_CLUSTER_ANNOTATION} annotation: left out (its logical cluster is unknown)`,
      );
    });
  }

  /** What makes two watches one: the cluster's connection, the resource, its scope and selectors, and how it is listed. */
  #watchKey(resource: WatchedResourceConfig, endpoint: Endpoint): string {
    const { apiVersion, kind, resource: plural, namespace, labelSelector, fieldSelector } = resource;
    const listing = { streamingList: this.#options.config.streamingList, pageSize: this.#tuning.pageSize };
    return JSON.stringify({ connection: endpoint.key, apiVersion, kind: kind ?? null, resource: plural ?? null, namespace, labelSelector, fieldSelector, ...listing });
  }

  #reflector(resource: WatchedResourceConfig, sink: WatchSink, endpoint: Endpoint, metadataOnly: boolean): Reflector {
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
      metadataOnly,
      ...(endpoint.name === undefined ? {} : { cluster: endpoint.name }),
      ...(this.#options.config.kcp === undefined ? {} : { prepare: stampLogicalCluster }),
    });
  }
}

/** A member's state: synced when it got its own list; the shared watch's current problem. */
function stateOf(subscription: Subscription): { synced: boolean; lastProblem?: ResourceWatchStatus['lastProblem'] } {
  const problem = subscription.membership.reflector.status().lastProblem;
  return { synced: subscription.membership.synced, ...(problem ? { lastProblem: problem } : {}) };
}

/** A stable id for a client handed in. */
function clientId(client: ApiClient): number {
  const known = clientIds.get(client);
  if (known !== undefined) return known;
  clientIds.set(client, ++lastClientId);
  return lastClientId;
}
