/**
 * The controller's Prometheus metrics, in a prom-client Registry of its own (never the
 * global one, so several controllers in one process, as in tests, do not collide), declared
 * as one table (see metric-table.ts): render, command and reload metrics are recorded as
 * they happen; watch, store, sync and leadership metrics are read at scrape time from the
 * status snapshot and the election state.
 */
import { Registry } from 'prom-client';
import type { Config } from '../config/types.ts';
import { VERSION } from '../version.ts';
import { registerMetrics, type Labels, type MetricOf, type MetricRow, type Samples } from '../metric-table.ts';
import type { CommandResult } from '../output/command.ts';
import { readiness } from './health.ts';
import type { ControllerStatus, RenderOutcome, ResourceState, TemplateState } from './status.ts';
import type { ObjectReport, TemplateReport } from '../templates/index.ts';
import type { WatchStats } from '../watcher/index.ts';

/** Histogram buckets (seconds): from a tiny template (1 ms) to a huge one or a slow command (30 s). */
const DURATION_BUCKETS = Object.freeze([0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);

/** The metrics recorded as things happen; /metrics lists them first, then the scraped ones. */
const RECORDED = {
  renderDuration: {
    type: 'histogram',
    name: 'informant_render_duration_seconds',
    help: 'Time to render one template (the template only: no validate, write or on_change).',
    labels: ['template'],
    buckets: DURATION_BUCKETS,
  },
  renders: {
    type: 'counter',
    name: 'informant_renders_total',
    help: 'Templates rendered, by result: written, unchanged (checksum equal, nothing written) or failed.',
    labels: ['template', 'result'],
  },
  renderErrors: {
    type: 'counter',
    name: 'informant_render_errors_total',
    help: 'Failed render cycles of a template, by the step that failed: render, validate, write or on_change.',
    labels: ['template', 'stage'],
  },
  lastSuccess: {
    type: 'gauge',
    name: 'informant_render_last_success_timestamp_seconds',
    help: 'When a render cycle of the template last succeeded completely (Unix time).',
    labels: ['template'],
  },
  commandRuns: { type: 'counter', name: 'informant_command_runs_total', help: 'validate and on_change commands run.', labels: ['template', 'command'] },
  commandFailures: {
    type: 'counter',
    name: 'informant_command_failures_total',
    help: 'validate and on_change commands that failed, by reason: exit, signal, timeout, spawn or aborted.',
    labels: ['template', 'command', 'reason'],
  },
  commandDuration: {
    type: 'histogram',
    name: 'informant_command_duration_seconds',
    help: 'How long validate and on_change commands ran.',
    labels: ['template', 'command'],
    buckets: DURATION_BUCKETS,
  },
  reloads: {
    type: 'counter',
    name: 'informant_config_reloads_total',
    help: 'Config reloads, by result: success or failure (the old config kept running).',
    labels: ['result'],
  },
  lastReload: { type: 'gauge', name: 'informant_config_last_reload_success_timestamp_seconds', help: 'When the config was last loaded successfully (Unix time).' },
  rejectedObjects: {
    type: 'counter',
    name: 'informant_template_rejected_objects_total',
    help: 'Objects a template left out of its output (fail_object, a validating filter, a value the line check refused), once per object version and reason.',
    labels: ['template', 'resource'],
  },
  objectWarnings: {
    type: 'counter',
    name: 'informant_template_object_warnings_total',
    help: 'Problems a template reported about an object it kept (warn_object), once per object version and reason.',
    labels: ['template', 'resource'],
  },
} as const satisfies Record<string, MetricRow>;

type Recorded = { [K in keyof typeof RECORDED]: MetricOf<(typeof RECORDED)[K]> };

/** The label values counters are created with at zero (see ControllerMetrics.declare). */
const RENDER_RESULTS = ['written', 'unchanged', 'failed'] as const;
const RENDER_STAGES = ['render', 'validate', 'write', 'on_change'] as const;
const COMMAND_FAILURES = ['exit', 'signal', 'timeout', 'spawn', 'aborted'] as const;
const RELOAD_RESULTS = ['success', 'failure'] as const;

/** Leader election as the metrics see it; undefined while election is off. */
type ElectionSample = { lease: string; leading: boolean; transitions: number } | undefined;

/**
 * The metrics of one controller. `status` is read at every scrape; `now` is wall-clock
 * milliseconds (for ages and timestamps).
 */
export class ControllerMetrics {
  readonly registry = new Registry();
  readonly #now: () => number;
  readonly #recorded: Recorded;
  #election: () => ElectionSample = () => undefined;

  constructor(status: () => ControllerStatus, now: () => number = Date.now) {
    this.#now = now;
    const scraped = scrapedMetrics(oncePerScrape(status), now, () => this.#election());
    this.#recorded = registerMetrics(this.registry, { ...RECORDED, ...scraped });
    this.#recorded.lastReload.set(now() / 1000);
    for (const result of RELOAD_RESULTS) this.#recorded.reloads.inc({ result }, 0);
  }

  /**
   * Creates the counters of `config`'s templates and watched resources at zero, for every
   * label value they can take (results, stages, the commands each template has, failure
   * reasons), so that `increase()` and `rate()` see their first error instead of a series
   * that appears already at 1. Called with every config version; series of templates a
   * reload removed stay, frozen.
   */
  declare(config: Config): void {
    const r = this.#recorded;
    for (const template of config.templates) {
      const name = template.name;
      for (const result of RENDER_RESULTS) r.renders.inc({ template: name, result }, 0);
      for (const stage of RENDER_STAGES) r.renderErrors.inc({ template: name, stage }, 0);
      const commands = [...(template.validate ? (['validate'] as const) : []), ...(template.onChange ? (['on_change'] as const) : [])];
      for (const command of commands) {
        r.commandRuns.inc({ template: name, command }, 0);
        for (const reason of COMMAND_FAILURES) r.commandFailures.inc({ template: name, command, reason }, 0);
      }
      for (const { name: resource } of config.watchedResources) {
        r.rejectedObjects.inc({ template: name, resource }, 0);
        r.objectWarnings.inc({ template: name, resource }, 0);
      }
    }
  }

  /** The text exposition format, for GET /metrics. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  renderDuration(template: string, seconds: number): void {
    this.#recorded.renderDuration.observe({ template }, seconds);
  }

  /** Records one template's cycle result (its last success at the current wall-clock time). */
  outcome(outcome: Pick<RenderOutcome, 'template' | 'status' | 'stage' | 'error'>): void {
    this.#recorded.renders.inc({ template: outcome.template, result: outcome.status });
    if (outcome.error) this.#recorded.renderErrors.inc({ template: outcome.template, stage: outcome.stage ?? 'render' });
    else this.#recorded.lastSuccess.set({ template: outcome.template }, this.#now() / 1000);
  }

  command(template: string, command: 'validate' | 'on_change', result: CommandResult): void {
    this.#recorded.commandRuns.inc({ template, command });
    this.#recorded.commandDuration.observe({ template, command }, result.durationMs / 1000);
    if (!result.ok) this.#recorded.commandFailures.inc({ template, command, reason: failureReason(result) });
  }

  /** Exposes leader election state (informant_leader, informant_leader_transitions_total) read from `state`. */
  observeElection(state: () => ElectionSample): void {
    this.#election = state;
  }

  /** Counts the findings of a render that its template's previous render did not have. */
  objectReport(report: TemplateReport): void {
    for (const entry of report.newlyLeftOut) this.#recorded.rejectedObjects.inc({ template: report.template, resource: entry.resource });
    for (const entry of report.newWarnings) this.#recorded.objectWarnings.inc({ template: report.template, resource: entry.resource });
  }

  reload(ok: boolean): void {
    this.#recorded.reloads.inc({ result: ok ? 'success' : 'failure' });
    if (ok) this.#recorded.lastReload.set(this.#now() / 1000);
  }
}

/** `status` read once per scrape: the first metric takes the snapshot, the rest of the scrape reuses it. */
function oncePerScrape(status: () => ControllerStatus): () => ControllerStatus {
  let snapshot: ControllerStatus | undefined;
  return () => {
    if (snapshot === undefined) {
      snapshot = status();
      setImmediate(() => (snapshot = undefined));
    }
    return snapshot;
  };
}

/** The metrics read at scrape time, in /metrics order. */
function scrapedMetrics(status: () => ControllerStatus, now: () => number, election: () => ElectionSample) {
  return {
    buildInfo: {
      type: 'gauge',
      name: 'informant_build_info',
      help: 'Always 1; the labels say which informant runs, on which Node.js.',
      labels: ['version', 'node_version'],
      read: () => [[{ version: VERSION, node_version: process.versions.node }, 1]],
    },
    ready: {
      type: 'gauge',
      name: 'informant_ready',
      help: '1 when /readyz answers ready: every resource synced and the last render cycle of every template succeeded.',
      read: () => [[{}, readiness(status()).ready ? 1 : 0]],
    },
    ...resourceMetrics(status),
    ...watchMetrics(status, now),
    leftOutObjects: {
      type: 'gauge',
      name: 'informant_template_left_out_objects',
      help: 'Objects the last successful render of the template left out.',
      labels: ['template', 'resource'],
      read: () => status().templates.flatMap((t) => countByResource(t.leftOut ?? []).map(([resource, n]) => [{ template: t.template, resource }, n] as [Labels, number])),
    },
    ...memoMetrics(status),
    onChangePending: {
      type: 'gauge',
      name: 'informant_output_on_change_pending',
      help: '1 while on_change has not run for the current output (not the leader, or it failed).',
      labels: ['template'],
      read: () => status().templates.map((t) => [{ template: t.template }, t.onChangePending ? 1 : 0]),
    },
    leader: {
      type: 'gauge',
      name: 'informant_leader',
      help: '1 while this replica holds the Lease (only with leader election on).',
      labels: ['lease'],
      read: () => electionSamples(election(), (state) => (state.leading ? 1 : 0)),
    },
    leaderTransitions: {
      type: 'counter',
      name: 'informant_leader_transitions_total',
      help: 'Times this replica became the leader.',
      labels: ['lease'],
      read: () => electionSamples(election(), (state) => state.transitions),
    },
    reloadPending: {
      type: 'gauge',
      name: 'informant_config_reload_pending',
      help: '1 while a reloaded config waits for its new watches to sync.',
      read: () => [[{}, status().reload.pending ? 1 : 0]],
    },
  } as const satisfies Record<string, MetricRow>;
}

/** Per template: what its `{% memo %}` cache did and holds (templates with render.memo off have none). */
function memoMetrics(status: () => ControllerStatus) {
  const per = (value: (memo: NonNullable<TemplateState['memo']>) => number) => (): Samples =>
    status().templates.flatMap((t) => (t.memo === undefined ? [] : [[{ template: t.template }, value(t.memo)] as [Labels, number]]));
  const template = ['template'] as const;
  return {
    memoHits: { type: 'counter', name: 'informant_template_memo_hits_total', help: 'memo blocks whose cached result was reused (under the running config).', labels: template, read: per((m) => m.hits) },
    memoMisses: { type: 'counter', name: 'informant_template_memo_misses_total', help: 'memo blocks rendered and cached: nothing was cached, or something they read changed.', labels: template, read: per((m) => m.misses) },
    memoUncacheable: {
      type: 'counter',
      name: 'informant_template_memo_uncacheable_total',
      help: 'memo blocks rendered and not cached (they read an object not loaded yet, left one out or warned about it, or had keys that cannot be hashed).',
      labels: template,
      read: per((m) => m.uncacheable),
    },
    memoEntries: { type: 'gauge', name: 'informant_template_memo_entries', help: 'memo results cached now.', labels: template, read: per((m) => m.entries) },
    memoBytes: { type: 'gauge', name: 'informant_template_memo_bytes', help: 'Estimated bytes of the memo results cached now (bounded by render.memo_max_bytes).', labels: template, read: per((m) => m.bytes) },
  } as const satisfies Record<string, MetricRow>;
}

function electionSamples(state: ElectionSample, value: (state: NonNullable<ElectionSample>) => number): Samples {
  return state ? [[{ lease: state.lease }, value(state)]] : [];
}

/** Per watched resource: sync state, store size, missing keys and cache counters. */
function resourceMetrics(status: () => ControllerStatus) {
  const per = (value: (r: ResourceState) => number | undefined) => (): Samples =>
    status().resources.flatMap((r) => {
      const v = value(r);
      return v === undefined ? [] : [[{ resource: r.resource }, v] as [Labels, number]];
    });
  const resource = ['resource'] as const;
  return {
    synced: { type: 'gauge', name: 'informant_resource_synced', help: '1 once the watched resource has delivered its initial state.', labels: resource, read: per((r) => (r.synced ? 1 : 0)) },
    syncStuck: {
      type: 'gauge',
      name: 'informant_resource_sync_stuck',
      help: '1 for a watched resource past its sync timeout, with why (forbidden, not_found, ...).',
      labels: ['resource', 'reason'],
      read: () => status().resources.flatMap((r) => (r.stuck ? [[{ resource: r.resource, reason: r.stuck.reason }, 1] as [Labels, number]] : [])),
    },
    optionalMissing: {
      type: 'gauge',
      name: 'informant_resource_optional_missing',
      help: '1 while an optional watched resource is past its sync_timeout without having synced: the outputs are rendered without it (empty).',
      labels: resource,
      read: () => status().resources.flatMap((r) => (r.optional ? [[{ resource: r.resource }, r.stuck && !r.synced ? 1 : 0] as [Labels, number]] : [])),
    },
    storeObjects: { type: 'gauge', name: 'informant_store_objects', help: 'Objects in the store of the watched resource.', labels: resource, read: per((r) => r.size) },
    cacheHits: { type: 'counter', name: 'informant_store_cache_hits_total', help: 'Cache hits of stores that fetch objects on demand.', labels: resource, read: per((r) => r.cache?.hits) },
    cacheMisses: { type: 'counter', name: 'informant_store_cache_misses_total', help: 'Cache misses of stores that fetch objects on demand.', labels: resource, read: per((r) => r.cache?.misses) },
    cacheFetches: { type: 'counter', name: 'informant_store_cache_fetches_total', help: 'GET requests of stores that fetch objects on demand.', labels: resource, read: per((r) => r.cache?.fetches) },
    cacheFetchErrors: { type: 'counter', name: 'informant_store_cache_fetch_errors_total', help: 'Failed on-demand fetches.', labels: resource, read: per((r) => r.cache?.fetchErrors) },
    cacheNotFound: { type: 'counter', name: 'informant_store_cache_not_found_total', help: 'On-demand fetches answered 404.', labels: resource, read: per((r) => r.cache?.notFound) },
    cacheEvictions: {
      type: 'counter',
      name: 'informant_store_cache_evictions_total',
      help: 'Cached bodies dropped (LRU bound, TTL, or a watch event).',
      labels: resource,
      read: per((r) => r.cache?.evictions),
    },
    cacheEntries: { type: 'gauge', name: 'informant_store_cache_entries', help: 'Bodies cached right now by an on-demand store.', labels: resource, read: per((r) => r.cache?.entries) },
    fullReads: {
      type: 'counter',
      name: 'informant_store_full_reads_total',
      help: 'Renders that read a whole on-demand store (fetching every object).',
      labels: resource,
      read: per((r) => r.cache?.fullReads),
    },
    missingKeys: {
      type: 'counter',
      name: 'informant_indexer_missing_keys_total',
      help: 'Times an object was left out because an index_by expression gave no value.',
      labels: resource,
      read: per((r) => r.missingKeys.total),
    },
    objectsMissingKey: {
      type: 'gauge',
      name: 'informant_indexer_objects_missing_key',
      help: 'Objects left out right now for lack of an index key.',
      labels: resource,
      read: per((r) => r.missingKeys.current.length),
    },
  } as const satisfies Record<string, MetricRow>;
}

/**
 * Per watched resource, its watch counters. Watch series are per cluster when the source
 * watches several: the `cluster` label is set only then, so single-cluster series (and
 * queries by resource) stay as they were.
 */
function watchMetrics(status: () => ControllerStatus, now: () => number) {
  const watches = (value: (w: WatchStats) => number | undefined) => (): Samples =>
    status().resources.flatMap((r) => watchesOf(r).flatMap((w) => {
      const v = value(w);
      return v === undefined ? [] : [[watchLabels(r.resource, w), v] as [Labels, number]];
    }));
  const byKey = (label: string, counts: (w: WatchStats) => Record<string, number>) => (): Samples =>
    status().resources.flatMap((r) => watchesOf(r).flatMap((w) => Object.entries(counts(w)).map(([key, n]) => [{ ...watchLabels(r.resource, w), [label]: key }, n] as [Labels, number])));
  const labels = ['resource', 'cluster'] as const;
  return {
    watchEvents: {
      type: 'counter',
      name: 'informant_watch_events_total',
      help: 'Watch events received, by type (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR).',
      labels: [...labels, 'type'],
      read: byKey('type', (w) => w.events),
    },
    watchLists: { type: 'counter', name: 'informant_watch_lists_total', help: 'Complete lists delivered (the first one included).', labels, read: watches((w) => w.lists) },
    watchRelists: { type: 'counter', name: 'informant_watch_relists_total', help: 'Lists after the first (410 Expired, a broken stream).', labels, read: watches((w) => w.relists) },
    watchRestarts: { type: 'counter', name: 'informant_watch_restarts_total', help: 'Watch requests opened after the first.', labels, read: watches((w) => w.watchRestarts) },
    watchErrors: {
      type: 'counter',
      name: 'informant_watch_errors_total',
      help: 'Watch and list failures, by HTTP status or class (network, idle-timeout, ...).',
      labels: [...labels, 'reason'],
      read: byKey('reason', (w) => w.errors),
    },
    watchObjects: { type: 'gauge', name: 'informant_watch_objects', help: 'Objects the watcher has delivered to the store.', labels, read: watches((w) => w.objects) },
    watchOpen: { type: 'gauge', name: 'informant_watch_open', help: '1 while a watch stream is open.', labels, read: watches((w) => (w.watching ? 1 : 0)) },
    watchLastEventAge: {
      type: 'gauge',
      name: 'informant_watch_last_event_age_seconds',
      help: 'Seconds since the last watch event (bookmarks included).',
      labels,
      read: watches((w) => (w.lastEventAt === undefined ? undefined : Math.max(0, (now() - w.lastEventAt) / 1000))),
    },
  } as const satisfies Record<string, MetricRow>;
}

/** The watch counters of a resource: one per cluster, or the single cluster's. */
function watchesOf(r: ControllerStatus['resources'][number]): WatchStats[] {
  return r.watchByCluster ?? (r.watch ? [r.watch] : []);
}

/** `resource`, and `cluster` when the counters are of one of several clusters. */
function watchLabels(resource: string, w: WatchStats): Labels {
  return w.cluster === undefined ? { resource } : { resource, cluster: w.cluster };
}

function countByResource(reports: readonly ObjectReport[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const report of reports) counts.set(report.resource, (counts.get(report.resource) ?? 0) + 1);
  return [...counts];
}

function failureReason(result: CommandResult): string {
  if (result.spawnError) return 'spawn';
  if (result.timedOut) return 'timeout';
  if (result.aborted) return 'aborted';
  if (result.signal) return 'signal';
  return 'exit';
}
