/**
 * The controller's Prometheus metrics, in a prom-client Registry of its own (never the
 * global one, so several controllers in one process, as in tests, do not collide).
 * Watch, store and sync metrics are read from the status snapshot at scrape time; render
 * and command metrics are recorded as they happen. Names are listed in METRIC_NAMES.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CommandResult } from '../output/command.ts';
import { readiness } from './health.ts';
import type { ControllerStatus } from './status.ts';
import type { PublishStage } from '../output/template-output.ts';
import type { WatchStats } from '../watcher/index.ts';

/** Histogram buckets (seconds): from a tiny template (1 ms) to a huge one or a slow command (30 s). */
const DURATION_BUCKETS = Object.freeze([0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);

type Labels = Record<string, string>;
type Samples = Array<[Labels, number]>;

/** What one template's render cycle reported, as metrics see it. */
export interface OutcomeSample {
  template: string;
  status: 'written' | 'unchanged' | 'failed';
  stage?: PublishStage;
  error?: Error;
}

/**
 * The metrics of one controller. `status` is read at every scrape; `now` is wall-clock
 * milliseconds (for ages and timestamps).
 */
export class ControllerMetrics {
  readonly registry = new Registry();
  readonly #status: () => ControllerStatus;
  readonly #now: () => number;
  readonly #renderDuration: Histogram<'template'>;
  readonly #renders: Counter<'template' | 'result'>;
  readonly #renderErrors: Counter<'template' | 'stage'>;
  readonly #lastSuccess: Gauge<'template'>;
  readonly #commandRuns: Counter<'template' | 'command'>;
  readonly #commandFailures: Counter<'template' | 'command' | 'reason'>;
  readonly #commandDuration: Histogram<'template' | 'command'>;
  readonly #reloads: Counter<'result'>;
  readonly #lastReload: Gauge;
  #election: () => { lease: string; leading: boolean; transitions: number } | undefined = () => undefined;

  constructor(status: () => ControllerStatus, now: () => number = Date.now) {
    this.#status = status;
    this.#now = now;
    const registers = [this.registry];
    this.#renderDuration = new Histogram({
      name: 'informant_render_duration_seconds',
      help: 'Time to render one template (the template only: no validate, write or on_change).',
      labelNames: ['template'],
      buckets: [...DURATION_BUCKETS],
      registers,
    });
    this.#renders = new Counter({
      name: 'informant_renders_total',
      help: 'Templates rendered, by result: written, unchanged (checksum equal, nothing written) or failed.',
      labelNames: ['template', 'result'],
      registers,
    });
    this.#renderErrors = new Counter({
      name: 'informant_render_errors_total',
      help: 'Failed render cycles of a template, by the step that failed: render, validate, write or on_change.',
      labelNames: ['template', 'stage'],
      registers,
    });
    this.#lastSuccess = new Gauge({
      name: 'informant_render_last_success_timestamp_seconds',
      help: 'When a render cycle of the template last succeeded completely (Unix time).',
      labelNames: ['template'],
      registers,
    });
    this.#commandRuns = new Counter({
      name: 'informant_command_runs_total',
      help: 'validate and on_change commands run.',
      labelNames: ['template', 'command'],
      registers,
    });
    this.#commandFailures = new Counter({
      name: 'informant_command_failures_total',
      help: 'validate and on_change commands that failed, by reason: exit, signal, timeout, spawn or aborted.',
      labelNames: ['template', 'command', 'reason'],
      registers,
    });
    this.#commandDuration = new Histogram({
      name: 'informant_command_duration_seconds',
      help: 'How long validate and on_change commands ran.',
      labelNames: ['template', 'command'],
      buckets: [...DURATION_BUCKETS],
      registers,
    });
    this.#reloads = new Counter({
      name: 'informant_config_reloads_total',
      help: 'Config reloads, by result: success or failure (the old config kept running).',
      labelNames: ['result'],
      registers,
    });
    this.#lastReload = new Gauge({
      name: 'informant_config_last_reload_success_timestamp_seconds',
      help: 'When the config was last loaded successfully (Unix time).',
      registers,
    });
    this.#lastReload.set(now() / 1000);
    this.#defineScrapedMetrics(registers);
  }

  /** The text exposition format, for GET /metrics. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  renderDuration(template: string, seconds: number): void {
    this.#renderDuration.observe({ template }, seconds);
  }

  /** Records one template's cycle result; `at` is when it finished (wall clock ms). */
  outcome(outcome: OutcomeSample): void {
    this.#renders.inc({ template: outcome.template, result: outcome.status });
    if (outcome.error) this.#renderErrors.inc({ template: outcome.template, stage: outcome.stage ?? 'render' });
    else this.#lastSuccess.set({ template: outcome.template }, this.#now() / 1000);
  }

  command(template: string, command: 'validate' | 'on_change', result: CommandResult): void {
    this.#commandRuns.inc({ template, command });
    this.#commandDuration.observe({ template, command }, result.durationMs / 1000);
    if (!result.ok) this.#commandFailures.inc({ template, command, reason: failureReason(result) });
  }

  /** Publishes leader election state (informant_leader, informant_leader_transitions_total) read from `state`. */
  observeElection(state: () => { lease: string; leading: boolean; transitions: number } | undefined): void {
    this.#election = state;
  }

  reload(ok: boolean): void {
    this.#reloads.inc({ result: ok ? 'success' : 'failure' });
    if (ok) this.#lastReload.set(this.#now() / 1000);
  }

  /** Metrics whose values are read from the status snapshot when Prometheus scrapes. */
  #defineScrapedMetrics(registers: Registry[]): void {
    let snapshot: ControllerStatus | undefined;
    // One snapshot per scrape: the first collector takes it, the rest of the scrape reuses it.
    const status = (): ControllerStatus => {
      if (snapshot === undefined) {
        snapshot = this.#status();
        setImmediate(() => (snapshot = undefined));
      }
      return snapshot;
    };
    const gauge = (name: string, help: string, labelNames: string[], read: (s: ControllerStatus) => Samples): void => {
      new Gauge({ name, help, labelNames, registers, collect: mirror(() => read(status())) });
    };
    const counter = (name: string, help: string, labelNames: string[], read: (s: ControllerStatus) => Samples): void => {
      new Counter({ name, help, labelNames, registers, collect: mirror(() => read(status())) });
    };
    new Gauge({
      name: 'informant_ready',
      help: '1 when /readyz answers ready: every resource synced and the last render cycle of every template succeeded.',
      registers,
      collect() {
        this.set(readiness(status()).ready ? 1 : 0);
      },
    });
    defineResourceMetrics(gauge, counter, this.#now);
    gauge('informant_output_on_change_pending', '1 while on_change has not run for the current output (not the leader, or it failed).', ['template'], (s) =>
      s.templates.map((t) => [{ template: t.template }, t.onChangePending ? 1 : 0]),
    );
    const election = (): Samples => {
      const state = this.#election();
      return state ? [[{ lease: state.lease }, state.leading ? 1 : 0]] : [];
    };
    new Gauge({
      name: 'informant_leader',
      help: '1 while this replica holds the Lease (only with leader election on).',
      labelNames: ['lease'],
      registers,
      collect: mirror(election),
    });
    new Counter({
      name: 'informant_leader_transitions_total',
      help: 'Times this replica became the leader.',
      labelNames: ['lease'],
      registers,
      collect: mirror(() => {
        const state = this.#election();
        return state ? [[{ lease: state.lease }, state.transitions]] : [];
      }),
    });
    gauge('informant_config_reload_pending', '1 while a reloaded config waits for its new watches to sync.', [], (s) => [[{}, s.reload.pending ? 1 : 0]]);
  }
}

type Define = (name: string, help: string, labelNames: string[], read: (s: ControllerStatus) => Samples) => void;

/** Per watched resource: sync state, store size, missing keys, cache and watch counters. */
function defineResourceMetrics(gauge: Define, counter: Define, now: () => number): void {
  const per = (s: ControllerStatus, value: (r: ControllerStatus['resources'][number]) => number | undefined): Samples =>
    s.resources.flatMap((r) => {
      const v = value(r);
      return v === undefined ? [] : [[{ resource: r.resource }, v] as [Labels, number]];
    });
  gauge('informant_resource_synced', '1 once the watched resource has delivered its initial state.', ['resource'], (s) => per(s, (r) => (r.synced ? 1 : 0)));
  gauge('informant_resource_sync_stuck', '1 for a watched resource past its sync timeout, with why (forbidden, not_found, ...).', ['resource', 'reason'], (s) =>
    s.resources.flatMap((r) => (r.stuck ? [[{ resource: r.resource, reason: r.stuck.reason }, 1] as [Labels, number]] : [])),
  );
  gauge('informant_store_objects', 'Objects in the store of the watched resource.', ['resource'], (s) => per(s, (r) => r.size));
  counter('informant_store_cache_hits_total', 'Cache hits of stores that fetch objects on demand.', ['resource'], (s) => per(s, (r) => r.cache?.hits));
  counter('informant_store_cache_misses_total', 'Cache misses of stores that fetch objects on demand.', ['resource'], (s) => per(s, (r) => r.cache?.misses));
  counter('informant_store_cache_fetches_total', 'GET requests of stores that fetch objects on demand.', ['resource'], (s) => per(s, (r) => r.cache?.fetches));
  counter('informant_store_cache_fetch_errors_total', 'Failed on-demand fetches.', ['resource'], (s) => per(s, (r) => r.cache?.fetchErrors));
  counter('informant_store_cache_not_found_total', 'On-demand fetches answered 404.', ['resource'], (s) => per(s, (r) => r.cache?.notFound));
  counter('informant_store_cache_evictions_total', 'Cached bodies dropped (LRU bound, TTL, or a watch event).', ['resource'], (s) => per(s, (r) => r.cache?.evictions));
  gauge('informant_store_cache_entries', 'Bodies cached right now by an on-demand store.', ['resource'], (s) => per(s, (r) => r.cache?.entries));
  counter('informant_store_full_reads_total', 'Renders that read a whole on-demand store (fetching every object).', ['resource'], (s) => per(s, (r) => r.cache?.fullReads));
  counter('informant_indexer_missing_keys_total', 'Times an object was left out because an index_by expression gave no value.', ['resource'], (s) =>
    per(s, (r) => r.missingKeys.total),
  );
  gauge('informant_indexer_objects_missing_key', 'Objects left out right now for lack of an index key.', ['resource'], (s) =>
    per(s, (r) => r.missingKeys.current.length),
  );
  // Watch series are per cluster when the source watches several: the `cluster` label is
  // set only then, so single-cluster series (and queries by resource) stay as they were.
  const watches = (s: ControllerStatus, value: (w: WatchStats) => number | undefined): Samples =>
    s.resources.flatMap((r) => watchesOf(r).flatMap((w) => {
      const v = value(w);
      return v === undefined ? [] : [[watchLabels(r.resource, w), v] as [Labels, number]];
    }));
  const byKey = (s: ControllerStatus, label: string, counts: (w: WatchStats) => Record<string, number>): Samples =>
    s.resources.flatMap((r) => watchesOf(r).flatMap((w) => Object.entries(counts(w)).map(([key, n]) => [{ ...watchLabels(r.resource, w), [label]: key }, n] as [Labels, number])));
  counter('informant_watch_events_total', 'Watch events received, by type (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR).', ['resource', 'cluster', 'type'], (s) =>
    byKey(s, 'type', (w) => w.events),
  );
  counter('informant_watch_lists_total', 'Complete lists delivered (the first one included).', ['resource', 'cluster'], (s) => watches(s, (w) => w.lists));
  counter('informant_watch_relists_total', 'Lists after the first (410 Expired, a broken stream).', ['resource', 'cluster'], (s) => watches(s, (w) => w.relists));
  counter('informant_watch_restarts_total', 'Watch requests opened after the first.', ['resource', 'cluster'], (s) => watches(s, (w) => w.watchRestarts));
  counter('informant_watch_errors_total', 'Watch and list failures, by HTTP status or class (network, idle-timeout, ...).', ['resource', 'cluster', 'reason'], (s) =>
    byKey(s, 'reason', (w) => w.errors),
  );
  gauge('informant_watch_objects', 'Objects the watcher has delivered to the store.', ['resource', 'cluster'], (s) => watches(s, (w) => w.objects));
  gauge('informant_watch_open', '1 while a watch stream is open.', ['resource', 'cluster'], (s) => watches(s, (w) => (w.watching ? 1 : 0)));
  gauge('informant_watch_last_event_age_seconds', 'Seconds since the last watch event (bookmarks included).', ['resource', 'cluster'], (s) =>
    watches(s, (w) => (w.lastEventAt === undefined ? undefined : Math.max(0, (now() - w.lastEventAt) / 1000))),
  );
}

/** The watch counters of a resource: one per cluster, or the single cluster's. */
function watchesOf(r: ControllerStatus['resources'][number]): WatchStats[] {
  return r.watchByCluster ?? (r.watch ? [r.watch] : []);
}

/** `resource`, and `cluster` when the counters are of one of several clusters. */
function watchLabels(resource: string, w: WatchStats): Labels {
  return w.cluster === undefined ? { resource } : { resource, cluster: w.cluster };
}

/** A collect() that replaces a metric's values with `read()`'s samples. */
function mirror(read: () => Samples) {
  return function (this: Gauge | Counter): void {
    this.reset();
    for (const [labels, value] of read()) {
      if (this instanceof Gauge) this.set(labels, value);
      else this.inc(labels, value);
    }
  };
}

function failureReason(result: CommandResult): string {
  if (result.spawnError) return 'spawn';
  if (result.timedOut) return 'timeout';
  if (result.aborted) return 'aborted';
  if (result.signal) return 'signal';
  return 'exit';
}
