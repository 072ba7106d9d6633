/**
 * The renderer: one nunjucks Environment and the compiled templates of one config
 * version, rendering from the stores through the `resources` view.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger, type Logger } from '../log.ts';
import { compileTemplates, type CompiledTemplate } from './compile.ts';
import { createEnvironment } from './environment.ts';
import { toRenderError, type RenderError } from './errors.ts';
import type { Renderer, RendererOptions, TemplateCheckOptions } from './index.ts';
import { createResources, type Resources } from './resources.ts';

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
    logger.error({ err: error, template: error.template }, 'template does not compile');
  }
  if (errors.length > 0) throw errors[0];
  logger.debug({ templates: compiled.map((t) => t.name) }, 'templates compiled');
  return new TemplateRenderer(compiled, createResources(options.stores), logger);
}

/** Compiles every template as createRenderer would and returns every problem (none: []). */
export function checkTemplates(options: TemplateCheckOptions): RenderError[] {
  return compileTemplates(createEnvironment(searchPaths(options)), options.templates).errors;
}

/**
 * Where `{% include "name" %}` looks: the folders of the template files, in config order,
 * then `baseDir` (which is also where inline templates include from).
 */
function searchPaths(options: TemplateCheckOptions): string[] {
  const folders = options.templates.flatMap((t) => (t.path === undefined ? [] : [path.dirname(t.path)]));
  if (options.baseDir !== undefined) folders.push(options.baseDir);
  return [...new Set(folders.map((folder) => path.resolve(folder)))];
}

class TemplateRenderer implements Renderer {
  readonly names: readonly string[];
  readonly #templates: ReadonlyMap<string, CompiledTemplate>;
  readonly #resources: Resources;
  readonly #logger: Logger;

  constructor(compiled: CompiledTemplate[], resources: Resources, logger: Logger) {
    this.#templates = new Map(compiled.map((t) => [t.name, t]));
    this.names = Object.freeze(compiled.map((t) => t.name));
    this.#resources = resources;
    this.#logger = logger;
  }

  async render(templateName: string): Promise<string> {
    const compiled = this.#templates.get(templateName);
    if (compiled === undefined) {
      throw new Error(`unknown template "${templateName}"; templates: ${this.names.join(', ') || 'none'}`);
    }
    const started = performance.now();
    const output = this.#renderPass(compiled);
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    this.#logger.debug({ template: templateName, durationMs, chars: output.length }, 'template rendered');
    return output;
  }

  /**
   * One synchronous render of a template from the stores as they are now. The only place
   * that calls nunjucks: the on-demand fetch loop (render, fetch what was missing, render
   * again) wraps this.
   */
  #renderPass(compiled: CompiledTemplate): string {
    try {
      return compiled.template.render({ resources: this.#resources });
    } catch (err) {
      throw toRenderError(err, compiled.name, compiled.file);
    }
  }
}
