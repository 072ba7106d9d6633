/**
 * The renderer: one nunjucks Environment and the compiled templates of one config
 * version, rendering from the stores through the `resources` view.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger, type Logger } from '../log.ts';
import { compileTemplates, type CompiledTemplate } from './compile.ts';
import { createEnvironment } from './environment.ts';
import { RenderError, toRenderError } from './errors.ts';
import { ReportLog } from './isolation/report-log.ts';
import { renderEach, type EachResult } from './for-each.ts';
import { runInScope, type FunctionScope } from './functions/index.ts';
import { DEFAULT_LIMITS } from '../config/defaults.ts';
import { TemplateMemo } from './memo/cache.ts';
import { DEFAULTS as MEMO_DEFAULTS, type MemoStats } from './memo/index.ts';
import type { Renderer, RendererOptions, RenderTrace, TemplateCheckOptions } from './types.ts';
import { fullViews, type Resources, type ViewSource } from './resources.ts';
import { IsolationLimitError, renderTwoPass, UnresolvedFetchError, UnsafeOutputError } from './two-pass.ts';
import { unknownNames } from './unknown-names.ts';
import { runWithDeadline } from './nunjucks/index.ts';

/**
 * Builds the Environment and compiles every template once (and every file they load
 * literally); throws the RenderError of the first template that fails to compile, in
 * config order (all of them are logged; {@link checkTemplates} returns them all).
 */
export function createRenderer(options: RendererOptions): Renderer {
  const logger = options.logger ?? silentLogger();
  const env = createEnvironment(searchPaths(options));
  const { compiled, errors } = compileTemplates(env, options.templates);
  for (const error of errors) {
    // The message is located (file:line:col); the stack is for informant's developers.
    logger.error({ template: error.template }, `template does not compile: ${error.message}`);
    logger.debug({ err: error, template: error.template }, 'template does not compile');
  }
  if (errors.length > 0) throw errors[0];
  logger.debug({ templates: compiled.map((t) => t.name) }, 'templates compiled');
  return new TemplateRenderer(compiled, options, logger);
}

/**
 * Compiles every template as createRenderer would and returns every problem (none: []):
 * compile errors, unknown filters, and (given `resources`) unknown `resources.<name>`.
 */
export function checkTemplates(options: TemplateCheckOptions): RenderError[] {
  const env = createEnvironment(searchPaths(options));
  const { compiled, errors } = compileTemplates(env, options.templates);
  return [...errors, ...unknownNames(env, compiled, options.resources)];
}

/**
 * Where `{% include "name" %}` looks: the folders of the template files (and of the files
 * for_each imports), in config order,
 * then `baseDir` (which is also where inline templates include from).
 */
function searchPaths(options: TemplateCheckOptions): string[] {
  const folders = options.templates.flatMap((t) => [t.path, t.forEach?.import].flatMap((file) => (file === undefined ? [] : [path.dirname(file)])));
  if (options.baseDir !== undefined) folders.push(options.baseDir);
  return [...new Set(folders.map((folder) => path.resolve(folder)))];
}

class TemplateRenderer implements Renderer {
  readonly names: readonly string[];
  readonly #templates: ReadonlyMap<string, CompiledTemplate>;
  readonly #stores: RendererOptions['stores'];
  readonly #fullViews: ViewSource = fullViews();
  readonly #maxPasses: number | undefined;
  readonly #timeoutMs: number;
  readonly #logger: Logger;
  /** "template\0resource" pairs whose whole-store reads were logged already. */
  readonly #fullReadsLogged = new Set<string>();
  readonly #reportLog: ReportLog;
  readonly #onReport: RendererOptions['onReport'];
  readonly #options: RendererOptions;
  readonly #allowEnv: ReadonlyMap<string, ReadonlySet<string>>;
  /** Each template's memo results, by template name; empty when render.memo is off. */
  readonly #memos = new Map<string, TemplateMemo>();

  constructor(compiled: CompiledTemplate[], options: RendererOptions, logger: Logger) {
    this.#options = options;
    this.#allowEnv = new Map(options.templates.map((t) => [t.name, new Set(t.allowEnv ?? [])]));
    this.#templates = new Map(compiled.map((t) => [t.name, t]));
    this.names = Object.freeze(compiled.map((t) => t.name));
    this.#stores = options.stores;
    this.#maxPasses = options.maxFetchPasses;
    this.#timeoutMs = options.timeoutMs ?? Number.POSITIVE_INFINITY;
    this.#logger = logger;
    this.#reportLog = new ReportLog(logger);
    this.#onReport = options.onReport;
    const memo = { ...MEMO_DEFAULTS, ...options.memo };
    if (memo.enabled) for (const t of compiled) this.#memos.set(t.name, new TemplateMemo(t.name, memo));
  }

  memoStats(): MemoStats[] {
    return [...this.#memos.values()].map((memo) => memo.stats());
  }

  async render(templateName: string, trace?: RenderTrace): Promise<string> {
    const compiled = this.#compiled(templateName);
    if (compiled.forEach !== undefined) throw new Error(`template "${templateName}" has for_each: it renders one file per element (renderEach)`);
    const started = performance.now();
    const deadlineAt = started + this.#timeoutMs;
    const renderPass = (resources: Resources): string => compiled.template.render({ resources, vars: compiled.vars });
    const { output, passes, fetched, fullReads, report } = await this.#renderTwoPass(compiled, this.#scope(compiled), renderPass, deadlineAt, trace);
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    this.#logger.debug({ template: templateName, durationMs, chars: output.length, passes, fetched }, 'template rendered');
    this.#logFullReads(templateName, fullReads);
    this.#onReport?.(this.#reportLog.record(templateName, report));
    return output;
  }

  async renderEach(templateName: string, trace?: RenderTrace): Promise<EachResult> {
    const compiled = this.#compiled(templateName);
    if (compiled.forEach === undefined) throw new Error(`template "${templateName}" has no for_each: it renders one output (render)`);
    const started = performance.now();
    // One deadline for the list and every element: render.timeout bounds the whole template.
    const deadlineAt = started + this.#timeoutMs;
    const fullReads = new Set<string>();
    const scope = this.#scope(compiled); // one now() and one file cache for the list and every element
    const result = await renderEach(compiled, async (target, renderPass, subject) => {
      const rendered = await this.#renderTwoPass(target, scope, renderPass, deadlineAt, trace, subject);
      for (const resource of rendered.fullReads) fullReads.add(resource);
      return rendered;
    });
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    this.#logger.debug({ template: templateName, durationMs, files: result.files.size, failed: result.failed.size }, 'template rendered');
    this.#logFullReads(templateName, [...fullReads]);
    this.#onReport?.(this.#reportLog.record(templateName, result.report));
    return result;
  }

  /** What the template functions of one render of `compiled` see (functions/scope.ts). */
  #scope(compiled: CompiledTemplate): FunctionScope {
    const options = this.#options;
    return {
      template: compiled.name,
      allowEnv: this.#allowEnv.get(compiled.name) ?? new Set(),
      env: options.env ?? process.env,
      startedAtMs: (options.now ?? Date.now)(),
      baseDir: options.baseDir,
      maxFileBytes: options.maxFileBytes ?? DEFAULT_LIMITS.maxFileBytes,
      files: new Map(),
    };
  }

  #compiled(templateName: string): CompiledTemplate {
    const compiled = this.#templates.get(templateName);
    if (compiled === undefined) {
      throw new Error(`unknown template "${templateName}"; templates: ${this.names.join(', ') || 'none'}`);
    }
    return compiled;
  }

  /**
   * Renders `compiled` with `renderPass` (each pass stopped at `deadlineAt`,
   * performance.now() ms), fetching the on-demand objects it reads (see two-pass.ts).
   */
  async #renderTwoPass(
    compiled: CompiledTemplate,
    scope: FunctionScope,
    renderPass: (resources: Resources) => string,
    deadlineAt: number,
    trace: RenderTrace | undefined,
    subject?: unknown,
  ): ReturnType<typeof renderTwoPass> {
    try {
      return await renderTwoPass({
        stores: this.#stores,
        fullViews: this.#fullViews,
        renderPass: (resources) => runInScope(scope, () => this.#renderPass(compiled, () => renderPass(resources), deadlineAt)),
        lineMode: compiled.escape === 'line',
        memo: this.#memos.get(compiled.name),
        ...(subject !== undefined ? { subject } : {}),
        ...(this.#maxPasses !== undefined ? { maxPasses: this.#maxPasses } : {}),
        ...(trace ? { trace } : {}),
      });
    } catch (err) {
      if (err instanceof UnsafeOutputError) {
        const { file, line, col } = err.value;
        throw new RenderError({ template: compiled.name, file, line, col, reason: err.message, cause: err });
      }
      if (!(err instanceof UnresolvedFetchError) && !(err instanceof IsolationLimitError)) throw err;
      const details = { template: compiled.name, file: compiled.file, line: undefined, col: undefined };
      throw new RenderError({ ...details, reason: err.message, cause: err });
    }
  }

  /**
   * One synchronous render pass of a template (`pass`) from the stores as they are now,
   * stopped at `deadlineAt` (performance.now() ms): the only place nunjucks renders from.
   */
  #renderPass(compiled: CompiledTemplate, pass: () => string, deadlineAt: number): string {
    try {
      return runWithDeadline(deadlineAt, this.#timeoutMs, pass);
    } catch (err) {
      throw toRenderError(err, compiled.name, compiled.file);
    }
  }

  /** Says once per template and resource that a template reads a whole on-demand store. */
  #logFullReads(template: string, resources: string[]): void {
    for (const resource of resources) {
      const key = `${template}\0${resource}`;
      if (this.#fullReadsLogged.has(key)) continue;
      this.#fullReadsLogged.add(key);
      this.#logger.info(
        { template, resource },
        `template "${template}" reads every object of on-demand resource "${resource}": each one that is not cached is fetched (use Get/Fetch with keys to read only some)`,
      );
    }
  }
}
