/**
 * kcp-style logical clusters, as one kcp shard serves them: every request names a
 * logical cluster in its path (`/clusters/<name>/api/v1/...`), each logical cluster has
 * objects of its own (the same namespace and name may exist in two), and every object
 * carries its logical cluster's name in the `kcp.io/cluster` annotation. All of them share
 * one resourceVersion sequence (one etcd). `/clusters/*` is the wildcard: LIST and WATCH
 * there read every logical cluster at once (kcp's shared informers across workspaces);
 * any other verb is refused. Written from kcp's documented REST access patterns, not from
 * the product's code.
 *
 * Simplifications: a logical cluster exists once something has been stored in it (a
 * request to one that never had an object reads an empty cluster); every logical cluster
 * serves the same resources (discovery is the server's); wildcard list pages are ordered
 * by logical cluster name, then namespace and name.
 */
import type { ServerResponse } from 'node:http';
import { ClusterState, Revision } from './cluster-state.ts';
import type { ServerContext } from './context.ts';
import { expiredContinue } from './continue-token.ts';
import type { ChangeEvent } from './event-log.ts';
import { listPoint, sendPage } from './list.ts';
import type { Representation } from './media.ts';
import { parseCount, selectorFilter } from './query.ts';
import type { ServedResource } from './resources.ts';
import type { ResourceRoute } from './router.ts';
import { readPage, type Page } from './snapshot.ts';
import { ApiError } from './status.ts';
import type { StoredObject } from './stored-object.ts';
import { openWatch } from './watch.ts';
import { WatchRegistry } from './watch-registry.ts';
import type { WatchStream } from './watch-stream.ts';

/** The annotation kcp puts on every object (kcp's logicalcluster.AnnotationKey). */
export const CLUSTER_ANNOTATION = 'kcp.io/cluster';

/** The path segment of wildcard requests. */
export const WILDCARD = '*';

/** Separates the logical cluster from the object key in a wildcard continue position. */
const POSITION_SEPARATOR = '\u0001';

/** One logical cluster: its objects and its own watches. */
interface LogicalCluster {
  readonly state: ClusterState;
  readonly watches: WatchRegistry;
}

/** The logical clusters of one server (see the module comment). */
export class LogicalClusters {
  readonly #clusters = new Map<string, LogicalCluster>();
  readonly #resources: readonly ServedResource[];
  readonly #historyWindow: number;
  readonly #now: () => number;
  readonly #revision: Revision;
  /** Watches of /clusters/*: they see every logical cluster's changes. */
  readonly wildcardWatches = new WatchRegistry();

  /** `revision`: the server's resourceVersion sequence, which every logical cluster shares. */
  constructor(resources: readonly ServedResource[], historyWindow: number, now: () => number, revision: Revision) {
    this.#resources = resources;
    this.#historyWindow = historyWindow;
    this.#now = now;
    this.#revision = revision;
  }

  /** The logical cluster `name`, created (empty) on first use. */
  cluster(name: string): LogicalCluster {
    let cluster = this.#clusters.get(name);
    if (cluster === undefined) {
      const state = new ClusterState(this.#resources, this.#historyWindow, this.#now, {
        revision: this.#revision,
        annotations: { [CLUSTER_ANNOTATION]: name },
      });
      const watches = new WatchRegistry();
      state.onChange = (resource, event) => {
        watches.deliver(resource, event);
        this.wildcardWatches.deliver(resource, event);
      };
      cluster = { state, watches };
      this.#clusters.set(name, cluster);
    }
    return cluster;
  }

  /** Every logical cluster that ever held an object, sorted by name. */
  names(): string[] {
    return [...this.#clusters.keys()].sort();
  }

  /** The request context of a request to the logical cluster `name`. */
  contextOf(base: ServerContext, name: string): ServerContext {
    const { state, watches } = this.cluster(name);
    return { ...base, state, watches };
  }

  /** Every open watch, of one resource or all: the wildcard ones and each logical cluster's. */
  watches(resource?: ServedResource): WatchStream[] {
    return [this.wildcardWatches, ...[...this.#clusters.values()].map((c) => c.watches)].flatMap((registry) => registry.list(resource));
  }

  /** Forgets every logical cluster's history (continue tokens and watches from before now expire). */
  compact(): void {
    for (const { state } of this.#clusters.values()) state.compact();
  }

  /** Deletes every object of the logical cluster `name`, as kcp does when a workspace is deleted; returns how many. */
  deleteAll(name: string): number {
    const cluster = this.#clusters.get(name);
    if (cluster === undefined) return 0;
    let deleted = 0;
    for (const resource of this.#resources) {
      for (const obj of cluster.state.of(resource).current()) {
        cluster.state.delete(resource, obj.namespace, obj.name);
        deleted++;
      }
    }
    return deleted;
  }

  /** Answers a wildcard LIST (ctx: the server's, whose resourceVersion every logical cluster shares): one consistent page across all of them. */
  async serveList(ctx: ServerContext, res: ServerResponse, route: ResourceRoute, query: URLSearchParams, rep: Representation): Promise<void> {
    const point = listPoint(ctx, query);
    const page = this.#page(route, point, query);
    if (page === undefined) {
      if (point.start !== undefined) throw expiredContinue(ctx.tokens.issue({ rv: -1, start: point.start }));
      throw new ApiError(410, 'The resourceVersion for the provided list is too old.');
    }
    await sendPage(ctx, res, route, rep, point.atRv, page);
  }

  /** Answers a wildcard WATCH: every logical cluster's objects and changes in one stream. */
  serveWatch(ctx: ServerContext, res: ServerResponse, route: ResourceRoute, query: URLSearchParams, rep: Representation): void {
    const wildcard = { ...ctx, watches: this.wildcardWatches };
    const opened = openWatch(wildcard, res, route, query, rep);
    if (opened === undefined) return;
    const { stream, params, current } = opened;
    if (params.initialEvents) {
      for (const name of this.names()) {
        for (const obj of this.cluster(name).state.of(route.resource).current(route.namespace)) {
          stream.deliver({ type: 'ADDED', rv: obj.rv, object: obj, prev: undefined });
        }
      }
      if (params.endBookmark) stream.bookmark(current, true);
      return;
    }
    const events = this.#since(route.resource, params.rv ?? current);
    if (events === undefined) stream.expire(`too old resource version: ${params.rv ?? current}`);
    else for (const event of events) stream.deliver(event);
  }

  /**
   * One page of every logical cluster's objects at `point.atRv`, clusters in name order;
   * undefined when a cluster's history no longer reaches that far back.
   */
  #page(route: ResourceRoute, point: { atRv: number; start?: string }, query: URLSearchParams): Page | undefined {
    const filter = selectorFilter(query);
    const limit = parseCount(query, 'limit') ?? 0;
    const [startCluster, startKey] = point.start === undefined ? ['', ''] : point.start.split(POSITION_SEPARATOR) as [string, string];
    const items: StoredObject[] = [];
    for (const name of this.names().filter((n) => n >= startCluster)) {
      const left = limit === 0 ? 0 : limit - items.length;
      const page = readPage(this.cluster(name).state.of(route.resource), {
        atRv: point.atRv,
        ...(route.namespace === undefined ? {} : { namespace: route.namespace }),
        ...(name === startCluster && startKey !== '' ? { start: startKey } : {}),
        ...(filter === undefined ? {} : { filter }),
        limit: left,
      });
      if (page === undefined) return undefined;
      items.push(...page.items);
      if (page.next !== undefined) return { items, next: `${name}${POSITION_SEPARATOR}${page.next}` };
      if (limit > 0 && items.length === limit) return { items, ...this.#after(name) };
    }
    return { items };
  }

  /** The position of the logical cluster after `name`, when there is one. */
  #after(name: string): { next?: string } {
    const next = this.names().find((n) => n > name);
    return next === undefined ? {} : { next: `${next}${POSITION_SEPARATOR}` };
  }

  /** Every logical cluster's changes after `rv`, in resourceVersion order; undefined when some were forgotten. */
  #since(resource: ServedResource, rv: number): ChangeEvent[] | undefined {
    const events: ChangeEvent[] = [];
    for (const name of this.names()) {
      const logged = this.cluster(name).state.of(resource).log.since(rv);
      if (logged === undefined) return undefined;
      events.push(...logged);
    }
    return events.sort((a, b) => a.rv - b.rv);
  }
}

/** A request path inside a kcp server: the logical cluster it names (or the wildcard) and the path below it. */
export function logicalPath(pathname: string): { cluster: string; rest: string } {
  const match = /^\/clusters\/([^/]+)(\/.*)?$/.exec(pathname);
  if (match === null) throw new ApiError(404, `the server could not find the requested resource (${pathname} names no logical cluster; use /clusters/<name>/...)`);
  return { cluster: decodeURIComponent(match[1]!), rest: match[2] ?? '/' };
}
