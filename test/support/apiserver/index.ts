/**
 * TestApiServer: a real node:http Kubernetes API server on 127.0.0.1 for tests and
 * benchmarks. It keeps objects per resource under one global resourceVersion counter,
 * serves discovery, paginated consistent lists, watches (bookmarks, timeouts, streaming
 * lists, 410 beyond the history window), get/create/update/patch/delete, TokenReview and
 * SubjectAccessReview (from tokens tests register and the ClusterRoles and bindings
 * stored: reviews.ts), and injects the faults a reflector must survive (server.faults).
 *
 * ```ts
 * const server = await TestApiServer.start({ historyWindow: 100 });
 * server.create('ingresses', { metadata: { name: 'web', namespace: 'shop' }, spec: {} });
 * server.faults.nextStatus(429, { verb: 'list', retryAfterSeconds: 1 });
 * // ... point the client at server.url, then assert on server.requests ...
 * await server.close();
 * ```
 *
 * Wire behaviour follows the real Kubernetes API server:
 * list items carry no kind/apiVersion, watch objects do; a watch without resourceVersion
 * (or "0") starts with synthetic ADDED events for the current state; continue tokens are
 * opaque. Deliberate simplifications, each documented where it lives: a list with
 * resourceVersion=0 honours limit; a list or watch from a resourceVersion beyond the
 * current one gets 504 at once (the real server waits ~3 s first); Table is not offered
 * (kubectl falls back to its own columns); only metadata.name and metadata.namespace field
 * selectors exist; strategic merge patches are applied as JSON merge patches.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { KubeObject } from '../../../src/k8s.ts';
import { ClusterState, Revision } from './cluster-state.ts';
import { LogicalClusters } from './logical-clusters.ts';
import type { RequestRecord, ServerContext } from './context.ts';
import { ContinueTokens } from './continue-token.ts';
import { Faults } from './faults.ts';
import { handleRequest } from './handler.ts';
import { seededRandom } from './random.ts';
import { DEFAULT_RESOURCES, ResourceRegistry, type ResourceDef, type ResourceRef, type ServedResource } from './resources.ts';
import { Identities } from './reviews.ts';
import { objectKey } from './stored-object.ts';
import { WatchRegistry } from './watch-registry.ts';
import type { WatchStream } from './watch-stream.ts';

export { DEFAULT_RESOURCES, DEFAULT_VERBS } from './resources.ts';
export { CLUSTER_ANNOTATION } from './logical-clusters.ts';
export type { ObjectRef, ResourceDef, ResourceRef } from './resources.ts';
export type { RequestRecord } from './context.ts';
export type { Identities, TestUser } from './reviews.ts';
export type { FaultVerb, NextStatusOptions, StatusFaultOptions, Faults } from './faults.ts';
export { ApiError } from './status.ts';
export { parseLabelSelector } from './label-selector.ts';
export { SERVER_VERSION } from './discovery.ts';

/** Options of TestApiServer.start. */
export interface TestApiServerOptions {
  /** Resources served; default DEFAULT_RESOURCES. */
  resources?: ResourceDef[];
  /** Past events kept per resource for watch resumption and list snapshots; older → 410. */
  historyWindow?: number;
  /** Period of BOOKMARK events on watches with allowWatchBookmarks=true, in ms. */
  bookmarkIntervalMs?: number;
  /** Serve sendInitialEvents=true (streaming lists); false answers 422 like a server without WatchList. */
  streamingLists?: boolean;
  /** When set, requests without `Authorization: Bearer <token>` get 401. */
  token?: string;
  /** Clock for request times and creationTimestamp, in ms since the epoch. Default Date.now. */
  clock?: () => number;
  /** Seed of the randomness used by splitChunks and generateName. */
  seed?: number;
  /**
   * Serve everything under this path (e.g. "/clusters/root:ws", as a kcp workspace is
   * addressed); requests outside it get 404, and `url` ends with it. Default: none.
   */
  pathPrefix?: string;
  /**
   * Serve kcp-style logical clusters (see logical-clusters.ts): every path starts with
   * /clusters/<name> or, for LIST and WATCH across all of them, /clusters/*; objects are
   * created in a logical cluster (`{ cluster }` of create, update, delete...) and carry
   * the kcp.io/cluster annotation. Default: off.
   */
  logicalClusters?: boolean;
}

/** Which logical cluster a host-side call addresses (kcp servers only). */
export interface InCluster {
  cluster?: string;
}

/** Defaults of TestApiServerOptions. */
export const DEFAULTS = Object.freeze({
  /** Events per resource: plenty for tests; small enough that compaction-style 410s are reachable. */
  historyWindow: 1000,
  /** ms: fast enough for tests to see bookmarks without waiting a minute as on a real server. */
  bookmarkIntervalMs: 1000,
  /** Modern servers (1.32+) serve streaming lists. */
  streamingLists: true,
  /** Any fixed seed keeps fault modes reproducible. */
  seed: 1,
});

/** A fault-injecting Kubernetes API server on 127.0.0.1 with a random port. */
export class TestApiServer {
  readonly #server: http.Server;
  readonly #ctx: ServerContext;
  readonly #registry: ResourceRegistry;
  #port = 0;
  /** Bytes written by connections that have closed; open ones are read from their sockets. */
  #closedBytes = 0;
  readonly #sockets = new Set<Socket>();

  private constructor(options: TestApiServerOptions) {
    this.#registry = new ResourceRegistry(options.resources ?? DEFAULT_RESOURCES);
    this.#ctx = createContext(this.#registry, options, {
      watches: (resource) => this.#allWatches(resource),
      resolve: (ref) => this.#registry.resolve(ref),
      compact: () => {
        this.#ctx.state.compact();
        this.#ctx.logical?.compact();
      },
      expireContinueTokens: () => this.#ctx.tokens.expireAll(),
      restart: () => this.#restart(),
    });
    this.#server = http.createServer({ keepAliveTimeout: 5_000 }, (req, res) => handleRequest(this.#ctx, req, res));
    this.#server.on('connection', (socket: Socket) => this.#track(socket));
  }

  /** Starts a server listening on 127.0.0.1 at a free port. */
  static async start(options: TestApiServerOptions = {}): Promise<TestApiServer> {
    const server = new TestApiServer(options);
    await server.#listen(0);
    return server;
  }

  /** http://127.0.0.1:PORT, followed by the pathPrefix when there is one. */
  get url(): string {
    return `http://127.0.0.1:${this.#port}${this.#ctx.settings.pathPrefix}`;
  }

  /** Fault controls; see Faults. */
  get faults(): Faults {
    return this.#ctx.faults;
  }

  /** Tokens TokenReview accepts (add them in tests), and counts of the reviews answered. */
  get identities(): Identities {
    return this.#ctx.identities;
  }

  /** Every request received so far, in arrival order. */
  get requests(): RequestRecord[] {
    return this.#ctx.requests;
  }

  /** Bytes sent to clients so far (headers and bodies, every connection, open or closed). */
  get bytesSent(): number {
    let open = 0;
    for (const socket of this.#sockets) open += socket.bytesWritten;
    return this.#closedBytes + open;
  }

  /** Unexpected errors inside the server (answered 500): a test server bug. Empty in a healthy run. */
  get errors(): Error[] {
    return this.#ctx.errors;
  }

  /** The current global resourceVersion. */
  get resourceVersion(): string {
    return String(this.#ctx.state.rv);
  }

  /** Stops serving: closes every connection (watches included) and every timer. */
  async close(): Promise<void> {
    await this.#stopListening();
  }

  /**
   * Stores a new object: assigns uid (unless given), resourceVersion and creationTimestamp
   * (unless given), delivers ADDED to watches. Throws ApiError 409 when it exists, 422 when
   * the namespace does not fit the resource's scope. The result is the caller's. A kcp
   * server (logicalClusters) needs `where.cluster`, the logical cluster to store it in.
   */
  create(resource: ResourceRef, obj: KubeObject, where: InCluster = {}): KubeObject {
    return this.#state(where).create(this.#registry.resolve(resource), obj);
  }

  /** Replaces an object (MODIFIED, always a new resourceVersion); throws ApiError 404 when absent. */
  update(resource: ResourceRef, obj: KubeObject, where: InCluster = {}): KubeObject {
    return this.#state(where).update(this.#registry.resolve(resource), obj);
  }

  /** Creates or updates. */
  upsert(resource: ResourceRef, obj: KubeObject, where: InCluster = {}): KubeObject {
    const served = this.#registry.resolve(resource);
    const state = this.#state(where);
    const key = objectKey(obj.metadata.namespace ?? '', obj.metadata.name);
    return state.of(served).has(key) ? state.update(served, obj) : state.create(served, obj);
  }

  /** Deletes an object; returns its last state, or undefined when it did not exist. */
  delete(resource: ResourceRef, namespace: string | undefined, name: string, where: InCluster = {}): KubeObject | undefined {
    return this.#state(where).delete(this.#registry.resolve(resource), namespace ?? '', name);
  }

  /** A copy of one object (with kind and apiVersion), or undefined. */
  get(resource: ResourceRef, namespace: string | undefined, name: string, where: InCluster = {}): KubeObject | undefined {
    const served = this.#registry.resolve(resource);
    const key = objectKey(served.namespaced ? (namespace ?? '') : '', name);
    return this.#state(where).of(served).get(key)?.toObject(served);
  }

  /** Copies of every current object of a resource, sorted by namespace then name. */
  list(resource: ResourceRef, where: InCluster = {}): KubeObject[] {
    const served = this.#registry.resolve(resource);
    return this.#state(where).of(served).current().map((obj) => obj.toObject(served));
  }

  /** How many watch responses are open (stalled ones included), for one resource or all (every logical cluster's too). */
  openWatches(resource?: ResourceRef): number {
    return this.#allWatches(resource === undefined ? undefined : this.#registry.resolve(resource)).length;
  }

  /** kcp servers: the logical clusters that hold or held objects, sorted. */
  logicalClusters(): string[] {
    return this.#logical().names();
  }

  /**
   * kcp servers: deletes every object of a logical cluster, as kcp does when its workspace
   * is deleted (a DELETED event each); returns how many.
   */
  deleteLogicalCluster(name: string): number {
    return this.#logical().deleteAll(name);
  }

  /** The objects a host-side call addresses: a logical cluster's (kcp servers), else the server's. */
  #state(where: InCluster): ClusterState {
    if (this.#ctx.logical === undefined) {
      if (where.cluster !== undefined) throw new Error('options.cluster is for servers started with logicalClusters: true');
      return this.#ctx.state;
    }
    if (where.cluster === undefined) throw new Error('a server with logicalClusters needs the logical cluster: { cluster: "<name>" }');
    return this.#ctx.logical.cluster(where.cluster).state;
  }

  #logical(): LogicalClusters {
    if (this.#ctx.logical === undefined) throw new Error('the server was not started with logicalClusters: true');
    return this.#ctx.logical;
  }

  /** Every open watch stream (of one resource), whoever registered it. */
  #allWatches(resource: ServedResource | undefined): WatchStream[] {
    return [...this.#ctx.watches.list(resource), ...(this.#ctx.logical?.watches(resource) ?? [])];
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => {
      this.#sockets.delete(socket);
      this.#closedBytes += socket.bytesWritten;
    });
  }

  #listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.off('error', reject);
        this.#port = (this.#server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  #stopListening(): Promise<void> {
    for (const watch of this.#allWatches(undefined)) watch.drop();
    return new Promise((resolve) => {
      if (!this.#server.listening) {
        resolve();
        return;
      }
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #restart(): Promise<void> {
    await this.#stopListening();
    await this.#listen(this.#port);
  }
}

/** Builds the shared state of a server. */
function createContext(
  registry: ResourceRegistry,
  options: TestApiServerOptions,
  targets: ConstructorParameters<typeof Faults>[0],
): ServerContext {
  const now = options.clock ?? Date.now;
  const random = seededRandom(options.seed ?? DEFAULTS.seed);
  const window = options.historyWindow ?? DEFAULTS.historyWindow;
  const revision = new Revision();
  const state = new ClusterState(registry.all, window, now, { revision });
  const logical = options.logicalClusters ? new LogicalClusters(registry.all, window, now, revision) : undefined;
  const faults = new Faults(targets);
  const watches = new WatchRegistry();
  state.onChange = (resource, event) => watches.deliver(resource, event);
  return {
    registry,
    state,
    tokens: new ContinueTokens(),
    faults,
    watches,
    identities: new Identities(),
    chaos: {
      splitting: () => faults.splitting(),
      takeGarbage: (resource) => faults.takeGarbage(resource),
      random,
    },
    requests: [],
    errors: [],
    now,
    random,
    ...(logical ? { logical } : {}),
    settings: {
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? DEFAULTS.bookmarkIntervalMs,
      streamingLists: options.streamingLists ?? DEFAULTS.streamingLists,
      token: options.token,
      pathPrefix: (options.pathPrefix ?? '').replace(/\/+$/, ''),
    },
  };
}
