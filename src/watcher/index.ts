/**
 * The watcher stage's vocabulary: where objects come from (a Kubernetes API server or a
 * folder of manifests) and the narrow sink they are delivered into. The indexer
 * implements WatchSink; sources know nothing about stores.
 */
import type { KubeObject, ObjectIdentity } from '../k8s.ts';

export { WATCH_EVENT_TYPES, copyWatchStats, emptyWatchStats, type WatchEventType, type WatchStats } from './stats.ts';

/**
 * What a source delivers objects into, for one watched resource. Calls are synchronous
 * and in order. Ownership: an object handed to the sink belongs to the sink from then on;
 * the source must not mutate or reuse it. A shared watch (SinkFanout) hands one object to
 * the sinks of several watched resources, so a sink must not mutate what it is handed,
 * except to set metadata.cluster to the cluster the object came from.
 */
export interface WatchSink {
  /** A new object. */
  add(obj: KubeObject): void;
  /** A changed object (same identity: cluster/namespace/name). */
  update(obj: KubeObject): void;
  /** An object is gone. `obj` carries at least metadata.name/namespace (and uid when known). */
  delete(obj: KubeObject): void;
  /**
   * The complete current set, after a (re)list. The sink makes its contents exactly these:
   * objects absent from `objs` are deleted, objects whose uid and resourceVersion are
   * unchanged are left alone, an object with a changed uid is a delete then an add.
   */
  replace(objs: KubeObject[]): void;
  /** The initial list has been delivered; called once per source start. */
  synced(): void;
  /**
   * Optional: the part of `obj` this sink would keep (the indexer: without remove_fields),
   * the same reference when it keeps all of it; `obj` is not changed. A LimitedSink checks
   * the limits on it and hands it on, so fields the sink drops anyway are never walked.
   */
  kept?(obj: KubeObject): KubeObject;
}

/** Why a resource is not (yet) being watched successfully. */
export interface WatchProblem {
  /** HTTP status when there was one (401, 403, 404, 410, 429, 5xx). */
  status?: number;
  /** Human-readable reason, e.g. "forbidden: cannot list ingresses in all namespaces (RBAC)". */
  message: string;
  /** When it was seen. */
  at: Date;
}

/**
 * The state a source reports per watched resource. A source watching several clusters
 * reports the resource synced once it synced in every cluster, the latest problem of any
 * cluster (its message starting with `cluster "<name>": `), and the state per cluster.
 */
export interface ResourceWatchStatus {
  resource: string;
  synced: boolean;
  lastProblem?: WatchProblem;
  /** Per cluster, in configured order; only from a source that watches several clusters. */
  clusters?: ClusterWatchStatus[];
  /** The other watched resources that read the same list/watch (a shared watch); absent when none. */
  sharedWith?: string[];
}

/** The state of one watched resource in one cluster. */
export interface ClusterWatchStatus {
  cluster: string;
  synced: boolean;
  lastProblem?: WatchProblem;
}

/** A source of objects for a set of watched resources. */
export interface Source {
  /**
   * Starts delivering objects for each watched resource into its sink. Resolves once the
   * source has started (not when synced); a problem with the source as a whole (a missing
   * folder, an unloadable kubeconfig) rejects with a WatchError.
   */
  start(sinks: ReadonlyMap<string, WatchSink>): Promise<void>;
  /** Stops everything: no sockets, timers, watchers or callbacks are left behind. */
  stop(): Promise<void>;
  /** Current state per watched resource. */
  status(): ResourceWatchStatus[];
}

/**
 * A source that can also read one object of a watched resource on demand: what stores
 * that hold references only (store: on-demand) load bodies through.
 */
export interface ObjectSource extends Source {
  /**
   * The current version of the object `id` names (namespace "" for cluster-scoped; the
   * cluster, for a source that watches several) of the watched resource `resource`, or
   * undefined when it does not exist. Rejects with a WatchError naming the object (403,
   * 5xx, a network error, a resource that is not watched, a cluster the source does not
   * watch) and once `signal` aborts. The caller owns the object it gets.
   */
  fetch(resource: string, id: ObjectIdentity, signal?: AbortSignal): Promise<KubeObject | undefined>;
}

/** True when `source` can read single objects (an ObjectSource). */
export function canFetch(source: Source): source is ObjectSource {
  return typeof (source as Partial<ObjectSource>).fetch === 'function';
}

/** An error of a source, naming where it happened. */
export class WatchError extends Error {
  override readonly name = 'WatchError';
  /** The watched resource concerned, when there is one. */
  readonly resource: string | undefined;
  /** HTTP status, when there is one. */
  readonly status: number | undefined;
  constructor(message: string, options: { resource?: string; status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.resource = options.resource;
    this.status = options.status;
  }
}
