/**
 * What the controller reports about itself: one snapshot that /readyz, /healthz, the
 * metrics and the debug endpoints all read, so they never disagree.
 */
import type { MissingKey } from '../indexer/index.ts';
import type { OnDemandStats } from '../store/index.ts';
import type { ClusterWatchStatus, WatchProblem } from '../watcher/index.ts';
import type { WatchStats } from '../watcher/index.ts';
import type { PublicationStatus } from '../publish/publication.ts';
import type { WriteResult } from '../output/types.ts';
import type { ObjectReport } from '../templates/isolation/index.ts';
import type { MemoStats } from '../templates/memo/index.ts';

/**
 * What happened to one template in one render cycle: the result of writing its output
 * (WriteResult), or a failure at stage `render`. `error` is set whenever a step failed.
 */
export interface RenderOutcome extends WriteResult {
  template: string;
  /** Where the output went (a file path, or "-" for stdout). */
  output: string;
  /** The rendering, when the template rendered. */
  content?: string;
}

/** A short, fixed vocabulary for why a resource is stuck (the metrics label `reason`). */
export type StuckReason = 'unauthorized' | 'forbidden' | 'not_found' | 'throttled' | 'server_error' | 'error' | 'no_answer';

/** The state of one watched resource. */
export interface ResourceState {
  resource: string;
  /** The store backend (full, on-demand...). */
  store: string;
  synced: boolean;
  /** Rendering goes on without it once it is past its sync timeout (optional: true). */
  optional?: true;
  /** Set once the resource is past its sync timeout and still not synced (an optional one then renders as empty). */
  stuck?: { reason: StuckReason; message: string; waitingMs: number };
  /** The source's current problem (also after sync: a watch that keeps failing). */
  problem?: WatchProblem;
  /** Objects in the store. */
  size: number;
  /** Objects left out for lack of an index key: the running count and the current set. */
  missingKeys: { total: number; current: MissingKey[] };
  /** Cache counters of stores that fetch on demand. */
  cache?: StoreCacheStats;
  /** Watch counters, when the source keeps them (Kubernetes, a single cluster). */
  watch?: WatchStats;
  /** Watch counters per cluster (each naming it), when the source watches several clusters. */
  watchByCluster?: WatchStats[];
  /** The source's state per cluster, when it watches several (synced, problem). */
  clusters?: ClusterWatchStatus[];
  /** The other watched resources reading the same list/watch (its counters and problem are theirs too). */
  sharedWith?: string[];
}

/** Cache counters of an on-demand store (its OnDemandStats). */
export type StoreCacheStats = OnDemandStats;

/** The state of one template's output. */
export interface TemplateState {
  template: string;
  output: string;
  /** The last render cycle's result for this template; undefined before the first. */
  last?: Pick<RenderOutcome, 'status' | 'stage'> & { at: number; error?: string };
  /** Clock time of the last cycle in which this template succeeded completely. */
  lastSuccessAt?: number;
  /**
   * Clock time of the last cycle that left a good output in place (written, or found
   * unchanged; on_change may have failed after it); undefined until one did.
   */
  lastOutputAt?: number;
  /** The objects the last successful render left out (see templates/isolation), sorted. */
  leftOut?: readonly ObjectReport[];
  /** The problems the last successful render reported with warn_object. */
  warnings?: readonly ObjectReport[];
  /** sha256 of the output as last written or found (for_each: of its list of files and their checksums). */
  checksum?: string;
  /** for_each templates: how many files are in place. */
  files?: number;
  /** on_change still has to run for the current output. */
  onChangePending: boolean;
  /** What the template's `{% memo %}` cache holds and did under the running config (absent with render.memo off). */
  memo?: Omit<MemoStats, 'template'>;
}

/** One recent render cycle: when it finished, and what became of each template it rendered. */
export interface RecentRender {
  at: number;
  templates: Array<Pick<RenderOutcome, 'template' | 'status' | 'stage'> & { error?: string }>;
}

/** A snapshot of the whole controller. */
export interface ControllerStatus {
  /** The config file of the running config version. */
  configFile: string;
  /** Every watched resource of the running config has synced at least once. */
  synced: boolean;
  /** Rendering can go on: every resource synced, or optional and past its sync timeout. */
  renderable: boolean;
  resources: ResourceState[];
  templates: TemplateState[];
  /**
   * Render cycles so far; the clock time the one in progress started at, if any; the last
   * few cycles into the configured outputs, newest first.
   */
  renders: { count: number; inProgressSince?: number; recent: RecentRender[] };
  /** This replica may run on_change (leader, or leader election off). */
  runsOnChange: boolean;
  /** When /readyz answers ready (server.readiness; see health.ts). */
  readiness: 'serving' | 'strict';
  /** A reload waiting for its new watches to sync, and the last reload's failure. */
  reload: { pending: boolean; pendingSince?: number; lastError?: string };
  /** The publisher's status, when the controller runs as a daemon that can publish. */
  publication?: PublicationStatus;
}
