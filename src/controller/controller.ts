/**
 * The controller: joins source, indexers, stores and templates for one config. It waits
 * until every watched resource has synced, renders every template, writes changed outputs
 * atomically, and re-renders (debounced) whenever a store changes. A failed render keeps
 * the last good output in place.
 */
import { basename, join } from 'node:path';
import type { Config, TemplateConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import type { StoreRegistry } from '../store/registry.ts';
import { createRenderer, type Renderer } from '../templates/index.ts';
import type { Source } from '../watcher/index.ts';
import { systemClock, type Clock } from './clock.ts';
import { Debouncer } from './debounce.ts';
import { checksum, fileChecksum, writeFileAtomic } from './output.ts';
import { buildPipeline, type Pipeline } from './pipeline.ts';
import { createDefaultRegistry } from './registry.ts';
import { createSource, type SourceSettings } from './source.ts';

export interface ControllerOptions {
  config: Config;
  logger: Logger;
  /** Follow changes after the initial sync (`run`), or deliver the current state only (`render`). */
  watch: boolean;
  registry?: StoreRegistry;
  clock?: Clock;
  /** Builds the source; defaults to the one the config names. */
  createSource?: (config: Config, logger: Logger, settings: SourceSettings) => Source;
}

/** What happened to one template in one render cycle. */
export interface RenderOutcome {
  template: string;
  /** Where the output went (a file path, or "-" for stdout). */
  output: string;
  status: 'written' | 'unchanged' | 'failed';
  error?: Error;
  content?: string;
}

/** Where a render cycle writes: the configured outputs, another folder, or a callback. */
export type OutputTarget =
  | { kind: 'configured' }
  | { kind: 'directory'; dir: string }
  | { kind: 'callback'; write: (template: TemplateConfig, content: string) => void };

export class Controller {
  readonly config: Config;
  readonly #log: Logger;
  readonly #watch: boolean;
  readonly #clock: Clock;
  readonly #pipeline: Pipeline;
  readonly #renderer: Renderer;
  readonly #source: Source;
  readonly #debouncer: Debouncer;
  readonly #checksums = new Map<string, string | undefined>();
  readonly #problems: Error[] = [];
  #syncWaiters: Array<() => void> = [];
  #renderedGeneration = -1;
  #rendering: Promise<void> | undefined;
  #renderAgain = false;
  #started = false;
  #stopped = false;
  #lastOutcomes: RenderOutcome[] = [];
  #renderCount = 0;

  /** Builds every stage; throws (RenderError, Error) when a template does not compile. */
  constructor(options: ControllerOptions) {
    this.config = options.config;
    this.#log = options.logger.child({ component: 'controller' });
    this.#watch = options.watch;
    this.#clock = options.clock ?? systemClock;
    const registry = options.registry ?? createDefaultRegistry();
    this.#pipeline = buildPipeline(this.config, registry, options.logger, () => this.#onChange());
    this.#renderer = createRenderer({
      templates: this.config.templates,
      stores: this.#pipeline.stores,
      logger: options.logger.child({ component: 'templates' }),
      baseDir: this.config.baseDir,
    });
    const onError = (err: Error): void => this.#recordProblem(err);
    const settings = { watch: this.#watch, onError };
    this.#source = (options.createSource ?? createSource)(this.config, options.logger, settings);
    this.#debouncer = new Debouncer(
      { quietMs: this.config.render.debounceMs, maxWaitMs: this.config.render.maxWaitMs, clock: this.#clock },
      () => void this.#renderLoop(),
    );
  }

  /** The stores by watched resource name (read-only use: debug, tests). */
  get stores(): Pipeline['stores'] {
    return this.#pipeline.stores;
  }

  /** Problems the source reported (malformed manifests, API errors), oldest first. */
  get problems(): readonly Error[] {
    return this.#problems;
  }

  /** How many render cycles have run. */
  get renderCount(): number {
    return this.#renderCount;
  }

  /** Resolves when no render is in progress. */
  async idle(): Promise<void> {
    while (this.#rendering) await this.#rendering;
  }

  /** The outcome of the last render cycle. */
  get lastOutcomes(): readonly RenderOutcome[] {
    return this.#lastOutcomes;
  }

  /**
   * Starts the source. With `watch`, the first render happens once every resource has
   * synced and later changes re-render, debounced; call `waitForSync()` to wait for it.
   */
  async start(): Promise<void> {
    if (this.#started) throw new Error('controller already started');
    this.#started = true;
    await this.#source.start(this.#pipeline.sinks);
    this.#log.info({ resources: [...this.#pipeline.stores.keys()] }, 'source started');
  }

  /** Resolves once every watched resource has delivered its initial state. */
  waitForSync(): Promise<void> {
    if (this.#pipeline.allSynced()) return Promise.resolve();
    return new Promise((resolve) => this.#syncWaiters.push(resolve));
  }

  /** Watched resources that have not synced yet. */
  unsynced(): string[] {
    return this.#pipeline.unsynced();
  }

  /**
   * Renders every template once and writes the outputs that changed. Never throws for a
   * template's failure: the outcome says what failed, and the previous output stays.
   */
  async renderAll(target: OutputTarget = { kind: 'configured' }): Promise<RenderOutcome[]> {
    this.#renderedGeneration = this.#pipeline.generation();
    this.#renderCount++;
    const outcomes: RenderOutcome[] = [];
    for (const template of this.config.templates) {
      outcomes.push(await this.#renderOne(template, target));
    }
    this.#lastOutcomes = outcomes;
    return outcomes;
  }

  /** Stops the source and any scheduled render; waits for a render in progress. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#debouncer.cancel();
    await this.#source.stop();
    await this.#rendering;
    this.#log.info('stopped');
  }

  #onChange(): void {
    if (this.#pipeline.allSynced() && this.#syncWaiters.length > 0) {
      const waiters = this.#syncWaiters;
      this.#syncWaiters = [];
      for (const resolve of waiters) resolve();
    }
    if (this.#watch && !this.#stopped && this.#pipeline.allSynced()) this.#debouncer.trigger();
  }

  /** Renders until no change arrived during the render: renders never overlap. */
  async #renderLoop(): Promise<void> {
    if (this.#rendering) {
      this.#renderAgain = true;
      return;
    }
    this.#rendering = (async () => {
      do {
        this.#renderAgain = false;
        if (this.#pipeline.generation() === this.#renderedGeneration) continue;
        const outcomes = await this.renderAll();
        this.#logCycle(outcomes);
      } while (this.#renderAgain && !this.#stopped);
    })();
    try {
      await this.#rendering;
    } finally {
      this.#rendering = undefined;
    }
  }

  async #renderOne(template: TemplateConfig, target: OutputTarget): Promise<RenderOutcome> {
    const output = target.kind === 'directory' ? directoryOutput(target.dir, template) : template.output;
    const where = target.kind === 'callback' ? '-' : output;
    let content: string;
    try {
      content = await this.#renderer.render(template.name);
    } catch (err) {
      return { template: template.name, output: where, status: 'failed', error: err as Error };
    }
    if (target.kind === 'callback') {
      target.write(template, content);
      return { template: template.name, output: where, status: 'written', content };
    }
    try {
      const written = await this.#writeIfChanged(output, content, template.mode);
      return { template: template.name, output, status: written ? 'written' : 'unchanged', content };
    } catch (err) {
      return { template: template.name, output, status: 'failed', error: err as Error };
    }
  }

  async #writeIfChanged(path: string, content: string, mode: number): Promise<boolean> {
    const sum = checksum(content);
    if (!this.#checksums.has(path)) this.#checksums.set(path, await fileChecksum(path));
    if (this.#checksums.get(path) === sum) return false;
    await writeFileAtomic(path, content, mode);
    this.#checksums.set(path, sum);
    return true;
  }

  #logCycle(outcomes: RenderOutcome[]): void {
    for (const outcome of outcomes) {
      if (outcome.status === 'failed') {
        this.#log.error(
          { template: outcome.template, output: outcome.output, err: outcome.error },
          `render of "${outcome.template}" failed, keeping the previous output: ${outcome.error?.message}`,
        );
      } else if (outcome.status === 'written') {
        this.#log.info({ template: outcome.template, output: outcome.output }, `wrote ${outcome.output}`);
      } else {
        this.#log.debug({ template: outcome.template }, 'output unchanged');
      }
    }
  }

  #recordProblem(err: Error): void {
    this.#problems.push(err);
    if (this.#problems.length > 100) this.#problems.shift();
  }
}

/** `--out DIR`: each output keeps its file name, in DIR. */
function directoryOutput(dir: string, template: TemplateConfig): string {
  return join(dir, basename(template.output));
}
