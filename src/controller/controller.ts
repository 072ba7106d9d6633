/**
 * The controller: joins sources, indexers, stores and templates for one config at a time.
 * It waits until every watched resource has synced (naming the ones that take too long),
 * renders every template, replaces the outputs that changed (validate, atomic replace,
 * on_change; see template-output.ts), and re-renders (debounced) whenever a store changes.
 * Renders never overlap, a failure keeps the last good output and is retried with backoff,
 * and a reloaded config is swapped in only once its new watches have synced.
 */
import type { Config, TemplateConfig } from '../config/types.ts';
import { SharedConnections } from '../kv/shared-connections.ts';
import { defaultLibraryLogger, type Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import type { StoreRegistry } from '../store/registry.ts';
import type { KubeObject } from '../k8s.ts';
import { checkTemplates, createRenderer, type Renderer, type RenderTrace } from '../templates/index.ts';
import { secretReads, type SecretReads } from './secret-reads.ts';
import type { WatchError } from '../watcher/index.ts';
import { SharedWatches } from '../watcher/kubernetes/index.ts';
import { systemClock, type Clock } from '../time/clock.ts';
import { Backoff } from '../time/backoff.ts';
import { ControllerMetrics } from './metrics.ts';
import { pipelineOf, type Pipeline } from './pipeline.ts';
import { createDefaultRegistry } from './registry.ts';
import { createSharedBackends, type SharedBackendRegistry } from './shared-backends.ts';
import { PendingReload, ReloadError } from './reload.ts';
import { createSource } from './source.ts';
import { RenderHistory } from './render-history.ts';
import { RenderSchedule } from './render-schedule.ts';
import { resourceStates } from './resource-state.ts';
import { RetryTimer } from '../time/retry-timer.ts';
import type { PublicationStatus } from '../publish/publication.ts';
import type { ControllerStatus, RenderOutcome, TemplateState } from './status.ts';
import { SyncBarrier, syncPolicy, type StuckResource } from './sync-barrier.ts';
import { buildOutputs } from '../output/outputs.ts';
import { runOnChanges } from '../output/on-change.ts';
import type { Output } from '../output/types.ts';
import { placesUnder } from './directory-target.ts';
import { renderToTarget } from './render-target.ts';
import type { OutputTarget } from './output-target.ts';
import { planUnits, WatchUnit, type SourceFactory } from './watch-unit.ts';

export type { OutputTarget } from './output-target.ts';

/** Timing of retries after a failed render cycle. */
export const DEFAULTS = Object.freeze({
  /** First retry of a failed cycle (ms): transient failures (a fetch, a full disk) often clear quickly. */
  retryInitialMs: 1_000,
  /** Retries back off (doubling) up to this (ms), so a broken template costs one render a minute. */
  retryMaxMs: 60_000,
  /** Source problems kept for `problems` (the oldest are dropped). */
  maxProblems: 100,
});

/** How to build a Controller. */
export interface ControllerOptions {
  config: Config;
  /** Default: warnings and errors on stderr (defaultLibraryLogger). */
  logger?: Logger;
  /** Follow changes after the initial sync (`run`), or deliver the current state only (`render`). */
  watch: boolean;
  registry?: StoreRegistry;
  clock?: Clock;
  /** Builds the source of a config (restricted to one watch unit's resources); default from config.source. */
  createSource?: SourceFactory;
  /** The connections its shared source units share (one per connection setting); default: a new set. */
  sharedConnections?: SharedConnections;
  /** The shared-store backends (source.shared, and the daemon's publisher); default: the built-in ones. */
  sharedBackends?: SharedBackendRegistry;
  /** The Kubernetes connections and watches its units share (one list/watch per kind); default: a new set. */
  kubernetesWatches?: SharedWatches;
  /** Run validate and on_change commands; default: when `watch` (`run` does, `render` does not). */
  runCommands?: boolean;
  /** Hears the outcomes of every render cycle into the configured outputs (the daemon's exec mode reloads the child). */
  onCycle?: (outcomes: readonly RenderOutcome[]) => void;
}

/**
 * Whether rendering can start: yes (naming the optional resources it goes without), or
 * not before the required resources past their sync timeout (`stuck`) sync.
 */
export type Renderability =
  | { renderable: true; without: string[] }
  | { renderable: false; stuck: StuckResource[] };

/**
 * Renders one config version at a time from its watches (see the module comment). All
 * methods are safe to call in any order after construction; renders are serialized.
 */
export class Controller {
  /** Prometheus metrics of this controller, in a registry of its own. */
  readonly metrics: ControllerMetrics;
  #config: Config;
  readonly #log: Logger;
  readonly #rootLogger: Logger;
  readonly #watch: boolean;
  readonly #runCommands: boolean;
  readonly #clock: Clock;
  readonly #registry: StoreRegistry;
  readonly #createSource: SourceFactory;
  readonly #sharedConnections: SharedConnections;
  /** The shared-store backends this controller connects with. */
  readonly sharedBackends: SharedBackendRegistry;
  readonly #kubernetesWatches: SharedWatches;
  readonly #barrier: SyncBarrier;
  readonly #abort = new AbortController();
  #pipeline: Pipeline;
  #renderer: Renderer;
  #outputs: Map<string, Output>;
  #schedule: RenderSchedule;
  #pendingReload: PendingReload | undefined;
  /** Reloads requested so far: a reload that finds a newer one has started gives way. */
  #reloads = 0;
  #reloadError: string | undefined;
  readonly #problems: Error[] = [];
  #syncWaiters: Array<() => void> = [];
  #renderWaiters: Array<(state: Renderability) => void> = [];
  /** Per template, the stores' generation it last rendered from. */
  #renderedGeneration = new Map<string, number>();
  #force = false;
  #rendering: Promise<void> | undefined;
  #renderAgain = false;
  #renderStartedAt: number | undefined;
  #started = false;
  #stopped = false;
  #leader = false;
  #publication: (() => PublicationStatus) | undefined;
  #lastOutcomes: RenderOutcome[] = [];
  #renderCount = 0;
  readonly #history: RenderHistory;
  readonly #retry: RetryTimer;
  readonly #onCycle: ControllerOptions['onCycle'];
  /** Per template, the Secrets its last render read (see secret-reads.ts). */
  readonly #secretsRead = new Map<string, readonly KubeObject[]>();

  /** Builds every stage; throws (RenderError, IndexerError, WatchError) when something does not compile. */
  constructor(options: ControllerOptions) {
    this.#config = options.config;
    this.#rootLogger = options.logger ?? defaultLibraryLogger();
    this.#log = this.#rootLogger.child({ component: 'controller' });
    this.#watch = options.watch;
    this.#runCommands = options.runCommands ?? options.watch;
    this.#onCycle = options.onCycle;
    this.#clock = options.clock ?? systemClock;
    this.#registry = options.registry ?? createDefaultRegistry();
    this.#createSource = options.createSource ?? createSource;
    this.#sharedConnections = options.sharedConnections ?? new SharedConnections();
    this.sharedBackends = options.sharedBackends ?? createSharedBackends();
    this.#kubernetesWatches = options.kubernetesWatches ?? new SharedWatches({ logger: this.#rootLogger });
    this.#barrier = new SyncBarrier({ clock: this.#clock, logger: this.#rootLogger, onTimeout: () => this.#onSyncTimeout() });
    this.metrics = new ControllerMetrics(() => this.status());
    this.metrics.declare(options.config);
    this.#history = new RenderHistory(this.#log, this.metrics);
    const backoff = new Backoff({ initialMs: DEFAULTS.retryInitialMs, capMs: DEFAULTS.retryMaxMs, jitter: 'none' }, this.#clock);
    this.#retry = new RetryTimer({ backoff, clock: this.#clock }, () => {
      this.#force = true;
      void this.#renderLoop();
    });
    const units = planUnits(this.#config).map(({ key, resources }) => this.#buildUnit(key, resources, this.#config));
    this.#pipeline = pipelineOf(units, resourceNames(this.#config));
    this.#renderer = this.#buildRenderer(this.#config, this.#pipeline);
    this.#outputs = this.#buildOutputs(this.#config, new Map());
    this.#schedule = this.#buildSchedule(this.#config);
  }

  /** The running config version (it changes on reload). */
  get config(): Config {
    return this.#config;
  }

  /** The stores by watched resource name (read-only use: debug, tests). */
  get stores(): ReadonlyMap<string, Store> {
    return this.#pipeline.stores;
  }

  /** Problems the sources reported (malformed manifests, API errors), oldest first. */
  get problems(): readonly Error[] {
    return this.#problems;
  }

  /** How many render cycles have run. */
  get renderCount(): number {
    return this.#renderCount;
  }

  /** The outcome of the last render cycle. */
  get lastOutcomes(): readonly RenderOutcome[] {
    return this.#lastOutcomes;
  }

  /** Resolves when no render is in progress. */
  async idle(): Promise<void> {
    while (this.#rendering) await this.#rendering;
  }

  /**
   * Starts the sources. With `watch`, the first render happens once every resource has
   * synced and later changes re-render, debounced; call `waitForSync()` to wait for it.
   * Rejects (after stopping what started) when a source as a whole cannot start.
   */
  async start(): Promise<void> {
    if (this.#started) throw new Error('controller already started');
    this.#started = true;
    await this.#startUnits(this.#pipeline.units, this.#config);
    this.#log.info({ resources: [...this.#pipeline.stores.keys()] }, 'sources started');
  }

  /** Resolves once every watched resource of the running config has delivered its initial state. */
  waitForSync(): Promise<void> {
    if (this.#pipeline.allSynced()) return Promise.resolve();
    return new Promise((resolve) => this.#syncWaiters.push(resolve));
  }

  /**
   * Resolves once rendering can start (every watched resource synced, or optional and
   * past its sync timeout), or once a required resource is past its sync timeout: what
   * `informant render` waits for.
   */
  whenRenderable(): Promise<Renderability> {
    return new Promise((resolve) => {
      this.#renderWaiters.push(resolve);
      this.#checkRenderWaiters();
    });
  }

  /** Watched resources that have not synced yet. */
  unsynced(): string[] {
    return this.#pipeline.unsynced();
  }

  /**
   * Tells the controller whether this replica leads. With leader election on (and
   * on_change_only_leader), only the leader runs on_change; gaining leadership runs the
   * on_change commands that followers left pending.
   */
  setLeader(leading: boolean): void {
    if (this.#leader === leading) return;
    this.#leader = leading;
    // A cycle runs what is pending; one in progress gets a successor that sees the new role.
    if (leading && this.#started && this.#watch && !this.#stopped) void this.#renderLoop();
  }

  /**
   * Renders every template once and replaces the outputs that changed. Never throws for a
   * template's failure: the outcome says what failed, and the previous output stays.
   */
  async renderAll(target: OutputTarget = { kind: 'configured' }): Promise<RenderOutcome[]> {
    return this.#render(this.#config.templates, target);
  }

  /** Renders `templates` (of the running config) into `target`; see renderAll. */
  async #render(templates: readonly TemplateConfig[], target: OutputTarget): Promise<RenderOutcome[]> {
    const renderer = this.#renderer;
    const outputs = this.#outputs;
    const generation = this.#pipeline.generation();
    for (const template of templates) this.#renderedGeneration.set(template.name, generation);
    this.#renderCount++;
    this.#renderStartedAt = this.#clock.now();
    const places = target.kind === 'directory' ? placesUnder(target.dir, templates) : undefined;
    const deps = {
      renderer, outputs, metrics: this.metrics, clock: this.#clock, logger: this.#rootLogger, baseDir: this.#config.baseDir,
      secretReads: (template: TemplateConfig, trace: RenderTrace) => this.#noteSecretReads(template, trace),
    };
    let outcomes: RenderOutcome[] = [];
    try {
      for (const template of templates) outcomes.push(await renderToTarget(template, target, places?.get(template.name), deps));
      if (target.kind === 'configured') outcomes = await this.#runOnChanges(outcomes, outputs);
    } finally {
      this.#renderStartedAt = undefined;
    }
    this.#lastOutcomes = outcomes;
    if (target.kind === 'configured') this.#history.record(outcomes, this.#clock.now());
    return outcomes;
  }

  /**
   * Applies a new config version. Templates are compiled first: an invalid config rejects
   * with a ReloadError and the running one stays. Watch units whose source and resource
   * definitions are unchanged are kept (no relist); the others are started, and the new
   * version is swapped in (and rendered) once they have synced. Resolves after the swap;
   * rejects when a newer reload or stop() abandons it.
   */
  async reload(config: Config): Promise<void> {
    if (!this.#started || this.#stopped) throw new ReloadError(config.file, 'the controller is not running');
    const problems = checkTemplates({ templates: config.templates, baseDir: config.baseDir, resources: resourceNames(config) });
    if (problems.length > 0) throw this.#reloadFailed(config, problems.map((p) => p.message).join('\n'), problems[0]);
    const ticket = ++this.#reloads;
    await this.#abandonPendingReload('a newer config was loaded');
    const kept = new Map(this.#pipeline.units.map((unit) => [unit.key, unit]));
    const fresh: WatchUnit[] = [];
    let units: WatchUnit[];
    try {
      units = planUnits(config).map(({ key, resources }) => kept.get(key) ?? push(fresh, this.#buildUnit(key, resources, config)));
      await this.#startUnits(fresh, config);
    } catch (err) {
      await Promise.all(fresh.map((unit) => unit.stop()));
      throw this.#reloadFailed(config, (err as Error).message, err);
    }
    if (ticket !== this.#reloads || this.#stopped) {
      // A newer reload (or stop) began while these watches were starting: it wins.
      for (const unit of fresh) this.#barrier.forget(unit);
      await Promise.all(fresh.map((unit) => unit.stop()));
      throw new ReloadError(config.file, this.#stopped ? 'the controller stopped' : 'a newer config was loaded');
    }
    const pending = new PendingReload(config, units, fresh, this.#clock.now());
    this.#pendingReload = pending;
    const restarted = fresh.flatMap((unit) => unit.resources.map((r) => r.name));
    this.#log.info({ config: config.file, restarted, kept: units.length - fresh.length }, 'config loaded; waiting for new watches to sync');
    this.#checkPendingReload();
    return pending.done;
  }

  /** Stops the sources and any scheduled render; waits for a render in progress. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#schedule.cancel();
    this.#retry.cancel();
    this.#barrier.stop();
    await this.#abandonPendingReload('the controller stopped');
    await Promise.all(this.#pipeline.units.map((unit) => unit.stop()));
    await this.idle();
    this.#log.info('stopped');
  }

  /** Records a reload that failed before it reached the controller (the file did not load). */
  reportReloadFailure(file: string, err: Error): void {
    this.#reloadFailed({ ...this.#config, file }, err.message, err);
  }

  /** Stops running validate and on_change commands (SIGTERM, then SIGKILL): for a shutdown that cannot wait. */
  abortCommands(): void {
    this.#abort.abort();
  }

  /** Adds the publisher's status (read at every snapshot) to status(); the daemon hands it in. */
  observePublication(status: (() => PublicationStatus) | undefined): void {
    this.#publication = status;
  }

  /** A snapshot of everything /readyz, /healthz, the metrics and /debug/ report. */
  status(): ControllerStatus {
    const pending = this.#pendingReload;
    const publication = this.#publication?.();
    return {
      configFile: this.#config.file,
      synced: this.#pipeline.allSynced(),
      renderable: this.#isRenderable(this.#pipeline.units),
      resources: resourceStates(this.#config, this.#pipeline, this.#barrier),
      templates: this.#config.templates.map((t) => this.#templateState(t)),
      renders: {
        count: this.#renderCount,
        ...(this.#renderStartedAt !== undefined ? { inProgressSince: this.#renderStartedAt } : {}),
        recent: this.#history.recent(),
      },
      runsOnChange: this.#mayRunOnChange(),
      readiness: this.#config.server.readiness ?? 'serving',
      reload: {
        pending: pending !== undefined,
        ...(pending ? { pendingSince: pending.since } : {}),
        ...(this.#reloadError !== undefined ? { lastError: this.#reloadError } : {}),
      },
      ...(publication ? { publication } : {}),
    };
  }

  /**
   * The current content of a template's output, its last rejected rendering, if any, and
   * whether a render of it read Secret data (then neither may be shown without permission).
   */
  outputContent(template: string): { current?: string; previous?: string; rejected?: string; readsSecrets: boolean } | undefined {
    const output = this.#outputs.get(template);
    if (!output) return undefined;
    return {
      ...(output.currentContent !== undefined ? { current: output.currentContent } : {}),
      ...(output.previousContent !== undefined ? { previous: output.previousContent } : {}),
      ...(output.rejectedCandidate !== undefined ? { rejected: output.rejectedCandidate } : {}),
      readsSecrets: output.readsSecrets,
    };
  }

  /** Every Secret object the last renders read (full stores' and fetched bodies): what masks texts shown elsewhere. */
  secretsRead(): KubeObject[] {
    return [...this.#secretsRead.values()].flat();
  }

  // ── Changes and the render loop ────────────────────────────────────────────────────

  #onChange(unit: WatchUnit): void {
    this.#barrier.update();
    if (this.#pipeline.units.includes(unit)) {
      if (this.#pipeline.allSynced()) this.#resolveSyncWaiters();
      this.#checkRenderWaiters();
      if (this.#watch && !this.#stopped && this.#isRenderable(this.#pipeline.units)) this.#schedule.trigger();
    }
    if (this.#pendingReload?.fresh.includes(unit)) this.#checkPendingReload();
  }

  /** A resource passed its sync timeout: an optional one no longer holds rendering (or a reload) back. */
  #onSyncTimeout(): void {
    this.#checkRenderWaiters();
    if (this.#watch && !this.#stopped && this.#isRenderable(this.#pipeline.units)) this.#schedule.trigger();
    this.#checkPendingReload();
  }

  /** True when no resource of `units` holds rendering back (see SyncBarrier.renderable). */
  #isRenderable(units: readonly WatchUnit[]): boolean {
    return units.every((unit) => unit.resources.every((resource) => this.#barrier.renderable(unit, resource.name)));
  }

  #checkRenderWaiters(): void {
    if (this.#renderWaiters.length === 0) return;
    let state: Renderability | undefined;
    if (this.#isRenderable(this.#pipeline.units)) {
      state = { renderable: true, without: this.#barrier.stuck().filter((s) => s.optional).map((s) => s.resource) };
    } else {
      const stuck = this.#barrier.stuck().filter((s) => !s.optional);
      if (stuck.length > 0) state = { renderable: false, stuck };
    }
    if (state === undefined) return;
    const waiters = this.#renderWaiters;
    this.#renderWaiters = [];
    for (const resolve of waiters) resolve(state);
  }

  #resolveSyncWaiters(): void {
    const waiters = this.#syncWaiters;
    this.#syncWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Runs cycles until no change arrived during one: renders never overlap. */
  async #renderLoop(): Promise<void> {
    if (this.#rendering) {
      this.#renderAgain = true;
      return;
    }
    this.#rendering = (async () => {
      do {
        this.#renderAgain = false;
        await this.#cycle();
      } while (this.#renderAgain && !this.#stopped);
    })();
    try {
      await this.#rendering;
    } finally {
      this.#rendering = undefined;
    }
  }

  /**
   * One cycle: render every template when a retry or reload forces it, else the templates
   * whose debounce fired and whose stores changed since they last rendered; when there are
   * none, run pending on_change commands.
   */
  async #cycle(): Promise<void> {
    if (this.#stopped || !this.#isRenderable(this.#pipeline.units)) return;
    const due = new Set(this.#schedule.takeDue());
    const generation = this.#pipeline.generation();
    const force = this.#force;
    this.#force = false;
    const templates = this.#config.templates.filter((t) => force || (due.has(t.name) && this.#renderedGeneration.get(t.name) !== generation));
    if (templates.length > 0) {
      this.#finishCycle(await this.#render(templates, { kind: 'configured' }));
      return;
    }
    const pending = [...this.#outputs.values()].filter((output) => output.onChangePending);
    if (pending.length === 0 || !this.#mayRunOnChange()) return;
    const unchanged = pending.map((output): RenderOutcome => ({ template: output.template.name, output: output.state().output, status: 'unchanged' }));
    const outcomes = await this.#runOnChanges(unchanged, this.#outputs);
    this.#history.record(outcomes, this.#clock.now());
    this.#finishCycle(outcomes);
  }

  /**
   * Runs the on_change commands the outputs owe, once every output of the cycle is written
   * (each distinct command once: see output/on-change.ts); a failure joins the outcome of
   * each template whose command failed.
   */
  async #runOnChanges(outcomes: RenderOutcome[], outputs: ReadonlyMap<string, Output>): Promise<RenderOutcome[]> {
    const owed = [...outputs.values()].map((output) => output.onChange);
    const errors = await runOnChanges(owed, this.#mayRunOnChange(), this.#log);
    return outcomes.map((outcome) => {
      const error = errors.get(outcome.template);
      if (error === undefined || outcome.error !== undefined) return outcome;
      return { ...outcome, stage: 'on_change', error };
    });
  }

  /** Logs a cycle and schedules a retry when something failed (cancels it when all went well). */
  #finishCycle(outcomes: RenderOutcome[]): void {
    this.#history.log(outcomes);
    this.#onCycle?.(outcomes);
    if (!outcomes.some((outcome) => outcome.error !== undefined)) this.#retry.succeeded();
    else if (this.#watch && !this.#stopped) this.#retry.failed();
  }

  #mayRunOnChange(): boolean {
    const election = this.#config.leaderElection;
    return !election.enabled || !election.onChangeOnlyLeader || this.#leader;
  }

  // ── Reload ─────────────────────────────────────────────────────────────────────────

  #checkPendingReload(): void {
    const pending = this.#pendingReload;
    if (!pending || pending.swapping || !this.#isRenderable(pending.fresh)) return;
    pending.swapping = true;
    void this.#swap(pending);
  }

  /** Swaps a synced reload in between two render cycles, then renders it. */
  async #swap(pending: PendingReload): Promise<void> {
    await this.idle();
    if (this.#pendingReload !== pending) return;
    this.#pendingReload = undefined;
    const { config } = pending;
    const pipeline = pipelineOf(pending.units, resourceNames(config));
    let renderer: Renderer;
    try {
      renderer = this.#buildRenderer(config, pipeline);
    } catch (err) {
      const error = this.#reloadFailed(config, (err as Error).message, err);
      await pending.abandon(error);
      return;
    }
    const dropped = this.#pipeline.units.filter((unit) => !pending.units.includes(unit));
    this.#config = config;
    this.#pipeline = pipeline;
    this.#renderer = renderer;
    this.#outputs = this.#buildOutputs(config, this.#outputs);
    this.#schedule.cancel();
    this.#schedule = this.#buildSchedule(config);
    this.#reloadError = undefined;
    this.metrics.declare(config);
    this.metrics.reload(true);
    this.#log.info({ config: config.file, stopped: dropped.flatMap((u) => u.resources.map((r) => r.name)) }, 'config reloaded');
    for (const unit of dropped) this.#barrier.forget(unit);
    this.#barrier.repolicy(config);
    this.#force = true;
    void this.#renderLoop();
    pending.resolve();
    await Promise.all(dropped.map((unit) => unit.stop()));
  }

  async #abandonPendingReload(why: string): Promise<void> {
    const pending = this.#pendingReload;
    if (!pending) return;
    this.#pendingReload = undefined;
    for (const unit of pending.fresh) this.#barrier.forget(unit);
    this.#log.info({ config: pending.config.file }, `abandoning the reload that was waiting for sync: ${why}`);
    await pending.abandon(new ReloadError(pending.config.file, why));
  }

  #reloadFailed(config: Config, message: string, cause: unknown): ReloadError {
    const error = new ReloadError(config.file, message, { cause });
    this.#reloadError = message;
    this.metrics.reload(false);
    this.#log.error({ config: config.file }, error.message);
    return error;
  }

  // ── Building ───────────────────────────────────────────────────────────────────────

  /** Starts `units`, each resource's sync timeout as `config` says. */
  async #startUnits(units: readonly WatchUnit[], config: Config): Promise<void> {
    const started: WatchUnit[] = [];
    try {
      for (const unit of units) {
        await unit.start(this.#clock.now());
        started.push(unit);
        this.#barrier.expect(unit, (resource) => syncPolicy(config, resource));
      }
    } catch (err) {
      await Promise.all(started.map((unit) => unit.stop()));
      throw err;
    }
  }

  #buildUnit(key: string, resources: Config['watchedResources'], config: Config): WatchUnit {
    return new WatchUnit(key, resources, config, {
      registry: this.#registry,
      logger: this.#rootLogger,
      createSource: this.#createSource,
      shared: { connections: this.#sharedConnections, backends: this.sharedBackends },
      kubernetesWatches: this.#kubernetesWatches,
      watch: this.#watch,
      onChange: (unit) => this.#onChange(unit),
      onError: (err: WatchError) => this.#recordProblem(err),
    });
  }

  #buildRenderer(config: Config, pipeline: Pipeline): Renderer {
    return createRenderer({
      timeoutMs: config.render.timeoutMs,
      memo: config.render.memo,
      templates: config.templates,
      stores: pipeline.stores,
      logger: this.#rootLogger.child({ component: 'templates' }),
      baseDir: config.baseDir,
      maxFileBytes: config.limits.maxFileBytes,
      onReport: (report) => this.#history.objects(report),
    });
  }

  #buildOutputs(config: Config, previous: ReadonlyMap<string, Output>): Map<string, Output> {
    return buildOutputs(config, previous, {
      clock: this.#clock,
      logger: this.#rootLogger,
      runCommands: this.#runCommands,
      signal: this.#abort.signal,
      onCommand: (template, command, result) => this.metrics.command(template, command, result),
    });
  }

  #buildSchedule(config: Config): RenderSchedule {
    return new RenderSchedule(config, this.#clock, () => void this.#renderLoop());
  }

  #templateState(template: TemplateConfig): TemplateState {
    const output = this.#outputs.get(template.name)?.state();
    const memo = this.#renderer.memoStats().find((stats) => stats.template === template.name);
    return {
      template: template.name,
      output: template.output,
      ...this.#history.of(template.name),
      ...(output?.checksum !== undefined ? { checksum: output.checksum } : {}),
      ...(output?.files !== undefined ? { files: output.files } : {}),
      onChangePending: output?.onChangePending ?? false,
      ...(memo !== undefined ? { memo: { hits: memo.hits, misses: memo.misses, uncacheable: memo.uncacheable, entries: memo.entries, bytes: memo.bytes } } : {}),
    };
  }

  /** What the render of `template` traced in `trace` read of Secret data; remembered for secretsRead(). */
  #noteSecretReads(template: TemplateConfig, trace: RenderTrace): SecretReads {
    const reads = secretReads(trace, this.#config, this.#pipeline.stores);
    if (reads.secrets.length > 0) this.#secretsRead.set(template.name, reads.secrets);
    else this.#secretsRead.delete(template.name);
    return reads;
  }

  #recordProblem(err: Error): void {
    this.#problems.push(err);
    if (this.#problems.length > DEFAULTS.maxProblems) this.#problems.shift();
  }
}

function resourceNames(config: Config): string[] {
  return config.watchedResources.map((resource) => resource.name);
}

function push<T>(list: T[], item: T): T {
  list.push(item);
  return item;
}
