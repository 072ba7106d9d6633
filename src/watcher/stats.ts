/**
 * The counters of one watch (a watched resource in one cluster), kept alike by every
 * source that watches (the Kubernetes reflector, the etcd subscription) and read by the
 * status and metrics endpoints. Plain numbers that only grow (except the gauges:
 * resourceVersion, objects, lastEventAt, watching).
 */

/** The event types of a Kubernetes watch stream; every source counts its events by them. */
export const WATCH_EVENT_TYPES = ['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'] as const;
export type WatchEventType = (typeof WATCH_EVENT_TYPES)[number];

/** A snapshot of one watch's counters. */
export interface WatchStats {
  /** The watched resource (watched_resources key). */
  resource: string;
  /** The cluster watched, when the source watches several (source.kubernetes.clusters). */
  cluster?: string;
  /** Watch events received, by type (list items are not events). */
  events: Record<WatchEventType, number>;
  /** Complete lists delivered with replace() (LIST or streaming list), first one included. */
  lists: number;
  /** Lists after the first: caused by 410 Expired, an invalid line or a sink failure. */
  relists: number;
  /** Watch requests opened after the first. */
  watchRestarts: number;
  /** Failures by HTTP status ("403", "500") or class ("network", "idle-timeout", "invalid-line"). */
  errors: Record<string, number>;
  /** Clock time (ms) of the last watch event, bookmarks included. */
  lastEventAt: number | undefined;
  /** The resourceVersion the next watch would resume from ("" before the first list). */
  resourceVersion: string;
  /** Objects currently delivered to the sink. */
  objects: number;
  /** The first complete list has been delivered. */
  synced: boolean;
  /** A watch stream is open right now. */
  watching: boolean;
  /** Whether this resource uses streaming lists (false after the server rejected them). */
  streamingList: boolean;
}

/**
 * Fresh, zeroed counters for `resource`. `errorReasons` are the failure reasons the source
 * knows in advance: they start at 0 (so the metrics have the series before the first error).
 */
export function emptyWatchStats(resource: string, streamingList: boolean, errorReasons: readonly string[] = []): WatchStats {
  return {
    resource,
    events: { ADDED: 0, MODIFIED: 0, DELETED: 0, BOOKMARK: 0, ERROR: 0 },
    lists: 0,
    relists: 0,
    watchRestarts: 0,
    errors: Object.fromEntries(errorReasons.map((reason) => [reason, 0])),
    lastEventAt: undefined,
    resourceVersion: '',
    objects: 0,
    synced: false,
    watching: false,
    streamingList,
  };
}

/** A deep copy, so callers cannot change the live counters. */
export function copyWatchStats(stats: WatchStats): WatchStats {
  return { ...stats, events: { ...stats.events }, errors: { ...stats.errors } };
}
