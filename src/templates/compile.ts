/**
 * Compiling configured templates. A template and every file it names literally in
 * `{% include %}`, `{% import %}`, `{% from %}` or `{% extends %}` (recursively) are read
 * and compiled up front, so a syntax error in any of them is reported before the first
 * render, and no file is read again afterwards. Files named by an expression are read on
 * first use.
 */
import nunjucks from 'nunjucks';
import type { TemplateConfig } from '../config/types.ts';
import { RenderError, toRenderError } from './errors.ts';
import { literalLoads, loadTemplate, locateError, templateFile, templateLocation } from './nunjucks/index.ts';

/** A configured template, compiled. */
export interface CompiledTemplate {
  /** The template's name (its key under `templates`). */
  readonly name: string;
  /** Its file: the absolute path, or `<inline:NAME>`. */
  readonly file: string;
  readonly template: nunjucks.Template;
  /** What printed values are checked for (templates.<name>.escape; absent means line). */
  readonly escape: 'line' | 'none';
  /** `vars` in the template (templates.<name>.vars over the top-level vars). */
  readonly vars: Readonly<Record<string, unknown>>;
  /** A for_each template's list and file name, compiled. */
  readonly forEach?: CompiledForEach;
}

/** What a for_each template renders once per element of, and how it names each file. */
export interface CompiledForEach {
  /** The elements: the objects of a watched resource, or the list a template file exports. */
  readonly source: { kind: 'resource'; resource: string } | { kind: 'list'; file: string; list: string; template: nunjucks.Template };
  /** The file name pattern, rendered with `object` and `vars`. */
  readonly name: nunjucks.Template;
  /** How errors name the pattern: `<output of NAME>`. */
  readonly nameFile: string;
}

/** The file name errors report for a template written inline in the config. */
export function inlineFile(name: string): string {
  return `<inline:${name}>`;
}

/**
 * Compiles one configured template and the files it loads literally; throws a RenderError
 * naming the file, line and column of the first problem.
 */
export function compileTemplate(env: nunjucks.Environment, config: TemplateConfig): CompiledTemplate {
  const file = config.path ?? inlineFile(config.name);
  try {
    const template =
      config.path !== undefined
        ? env.getTemplate(config.path, true)
        : new nunjucks.Template(config.inline ?? '', env, file, true);
    compileDependencies(env, template, new Set());
    const compiled = { name: config.name, file, template, escape: config.escape ?? 'line', vars: config.vars ?? EMPTY_VARS } as const;
    return config.forEach === undefined ? compiled : { ...compiled, forEach: compileForEach(env, config) };
  } catch (err) {
    throw toRenderError(err, config.name, file);
  }
}

const EMPTY_VARS: Readonly<Record<string, unknown>> = Object.freeze({});

/** The file name pattern and the list file of a for_each template; throws a RenderError naming either. */
function compileForEach(env: nunjucks.Environment, config: TemplateConfig): CompiledForEach {
  const forEach = config.forEach!;
  const nameFile = `<output of ${config.name}>`;
  let name: nunjucks.Template;
  try {
    name = new nunjucks.Template(forEach.name, env, nameFile, true);
  } catch (err) {
    throw toRenderError(err, config.name, nameFile);
  }
  if (forEach.resource !== undefined) return { source: { kind: 'resource', resource: forEach.resource }, name, nameFile };
  const file = forEach.import!;
  try {
    const template = env.getTemplate(file, true);
    compileDependencies(env, template, new Set());
    return { source: { kind: 'list', file, list: forEach.list!, template }, name, nameFile };
  } catch (err) {
    throw toRenderError(err, config.name, file);
  }
}

/**
 * Compiles every configured template, in order; returns the compiled ones and a
 * RenderError for each one that failed.
 */
export function compileTemplates(
  env: nunjucks.Environment,
  templates: readonly TemplateConfig[],
): { compiled: CompiledTemplate[]; errors: RenderError[] } {
  const compiled: CompiledTemplate[] = [];
  const errors: RenderError[] = [];
  for (const config of templates) {
    try {
      compiled.push(compileTemplate(env, config));
    } catch (err) {
      errors.push(err as RenderError);
    }
  }
  return { compiled, errors };
}

function compileDependencies(
  env: nunjucks.Environment,
  template: nunjucks.Template,
  done: Set<string>,
): void {
  const file = templateFile(template);
  if (file === undefined || done.has(file.path)) return;
  done.add(file.path);
  for (const load of literalLoads(env, file.source)) {
    let dependency: nunjucks.Template;
    try {
      dependency = loadTemplate(env, load.name, file.path, load.ignoreMissing);
    } catch (err) {
      // A file that cannot be found is reported at the tag that names it.
      throw templateLocation(err) === undefined ? locateError(err, load.lineno, load.colno, file.path) : err;
    }
    compileDependencies(env, dependency, done);
  }
}
