/**
 * WATCH: starts a WatchStream with the real server's semantics:
 * - resourceVersion unset or "0": synthetic ADDED events for the current state, then
 *   changes (legacy "most recent" / "any"; no end marker);
 * - "N": changes with a resourceVersion greater than N, from the history; when N is older
 *   than the history window, HTTP 200 with one ERROR event (410 Expired) and the end;
 * - sendInitialEvents=true (requires resourceVersionMatch=NotOlderThan and
 *   allowWatchBookmarks=true): ADDED events for the current state, a BOOKMARK annotated
 *   `k8s.io/initial-events-end: "true"` at that state's resourceVersion, then changes.
 *   With streamingLists off, answered 422 like a server without the WatchList feature.
 * - allowWatchBookmarks=true: a BOOKMARK every bookmarkIntervalMs;
 * - timeoutSeconds=N: a clean end after N seconds.
 */
import type { ServerResponse } from 'node:http';
import type { ServerContext } from './context.ts';
import type { Representation } from './media.ts';
import { parseCount, parseRv, selectorFilter, tooLargeRv } from './query.ts';
import type { ResourceRoute } from './router.ts';
import { ApiError } from './status.ts';
import { WatchStream, type WatchStreamOptions } from './watch-stream.ts';

/** What a watch request asks for. */
export interface WatchParams {
  /** Start from this resourceVersion; undefined starts from the current state. */
  rv: number | undefined;
  /** Send ADDED events for the current state first. */
  initialEvents: boolean;
  /** Mark the end of the initial events with the annotated bookmark. */
  endBookmark: boolean;
  bookmarks: boolean;
  timeoutMs: number | undefined;
}

/** A 422 Invalid for a watch option, worded like the real server's ListOptions validation. */
function invalid(field: string, why: string): ApiError {
  return new ApiError(422, `ListOptions.meta.k8s.io "" is invalid: ${field}: Forbidden: ${why}`);
}

/** Checks sendInitialEvents and resourceVersionMatch the way the real server validates them. */
function checkStreamingList(ctx: ServerContext, sendInitial: string | null, match: string | null, bookmarks: boolean): void {
  if (sendInitial === null) {
    if (match === null || match === '') return;
    throw invalid('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
  }
  if (!ctx.settings.streamingLists) {
    throw invalid('sendInitialEvents', 'sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled');
  }
  if (match !== 'NotOlderThan') {
    throw invalid('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
  }
  if (sendInitial === 'true' && !bookmarks) {
    throw invalid('allowWatchBookmarks', 'sendInitialEvents requires setting allowWatchBookmarks to true');
  }
}

/** Validates the watch parameters; ApiError 400/422 as the real server answers. */
function watchParams(ctx: ServerContext, query: URLSearchParams): WatchParams {
  const rvText = query.get('resourceVersion') ?? '';
  const sendInitial = query.get('sendInitialEvents');
  const bookmarks = query.get('allowWatchBookmarks') === 'true';
  checkStreamingList(ctx, sendInitial, query.get('resourceVersionMatch'), bookmarks);
  const rv = rvText === '' ? undefined : parseRv(rvText);
  const fromNow = rv === undefined || rv === 0;
  const timeoutSeconds = parseCount(query, 'timeoutSeconds');
  return {
    rv: fromNow ? undefined : rv,
    initialEvents: sendInitial === 'true' || (sendInitial === null && fromNow),
    endBookmark: sendInitial === 'true',
    bookmarks,
    timeoutMs: timeoutSeconds === undefined || timeoutSeconds === 0 ? undefined : timeoutSeconds * 1000,
  };
}

/** Answers a WATCH request; the response stays open until the stream ends. */
export function serveWatch(
  ctx: ServerContext,
  res: ServerResponse,
  route: ResourceRoute,
  query: URLSearchParams,
  rep: Representation,
): void {
  const opened = openWatch(ctx, res, route, query, rep);
  if (opened === undefined) return;
  const { stream, params, current } = opened;
  if (params.initialEvents) sendInitialEvents(ctx, stream, route, params, current);
  else replay(ctx, stream, route, params.rv ?? current);
}

/**
 * Validates a watch request and opens its stream (registered in ctx.watches); undefined
 * when the stream is stalled or closed at once by a fault, so nothing is to be sent.
 */
export function openWatch(
  ctx: ServerContext,
  res: ServerResponse,
  route: ResourceRoute,
  query: URLSearchParams,
  rep: Representation,
): { stream: WatchStream; params: WatchParams; current: number } | undefined {
  const params = watchParams(ctx, query);
  const filter = selectorFilter(query, route.name);
  const current = ctx.state.rv;
  if (params.rv !== undefined && params.rv > current) throw tooLargeRv(params.rv, current);
  const stalled = ctx.faults.takeStall(route.resource);
  const options: WatchStreamOptions = {
    resource: route.resource,
    representation: rep,
    ...(route.namespace === undefined ? {} : { namespace: route.namespace }),
    ...(filter === undefined ? {} : { filter }),
    ...(params.bookmarks && !stalled ? { bookmarkIntervalMs: ctx.settings.bookmarkIntervalMs } : {}),
    ...(params.timeoutMs === undefined || stalled ? {} : { timeoutMs: params.timeoutMs }),
    stalled,
    currentRv: () => ctx.state.rv,
    chaos: ctx.chaos,
    onClose: (s) => ctx.watches.remove(s),
  };
  const stream = new WatchStream(res, options);
  ctx.watches.add(stream);
  if (stalled) return undefined;
  if (ctx.faults.closesNewWatches(route.resource)) {
    stream.end();
    return undefined;
  }
  return { stream, params, current };
}

/** The current state as ADDED events (and the end bookmark of a streaming list). */
function sendInitialEvents(
  ctx: ServerContext,
  stream: WatchStream,
  route: ResourceRoute,
  params: WatchParams,
  current: number,
): void {
  for (const obj of ctx.state.of(route.resource).current(route.namespace)) {
    stream.deliver({ type: 'ADDED', rv: obj.rv, object: obj, prev: undefined });
  }
  if (params.endBookmark) stream.bookmark(current, true);
}

/** The logged changes after `rv`, or the in-stream 410 when they are no longer all known. */
function replay(ctx: ServerContext, stream: WatchStream, route: ResourceRoute, rv: number): void {
  const log = ctx.state.of(route.resource).log;
  const events = log.since(rv);
  if (events === undefined) {
    stream.expire(`too old resource version: ${rv} (${log.completeAfter + 1})`);
    return;
  }
  for (const event of events) stream.deliver(event);
}
