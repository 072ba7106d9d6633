/**
 * Compiling configured templates. A template and every file it names literally in
 * `{% include %}`, `{% import %}`, `{% from %}` or `{% extends %}` (recursively) are read
 * and compiled up front, so a syntax error in any of them is reported before the first
 * render, and no file is read again afterwards. Files named by an expression are read on
 * first use.
 */
import { createRequire } from 'node:module';
import nunjucks from 'nunjucks';
import type { TemplateConfig } from '../config/types.ts';
import { RenderError, toRenderError } from './errors.ts';
import { locateError, templateLocation } from './nunjucks-patch.ts';

const require = createRequire(import.meta.url);

interface AstNode {
  readonly typename: string;
  readonly lineno: number;
  readonly colno: number;
  readonly value?: unknown;
  readonly template?: AstNode;
  readonly ignoreMissing?: boolean;
  findAll(type: unknown): AstNode[];
}

const nodes = require('nunjucks/src/nodes') as Record<string, unknown>;
const parser = require('nunjucks/src/parser') as {
  parse(src: string, extensions: unknown, opts: unknown): AstNode;
};

/** The tags that load another file. */
const LOADING_TAGS = ['Include', 'Import', 'FromImport', 'Extends'].map((name) => nodes[name]);

/** The fields of nunjucks' Template and Environment this module reads (not in its types). */
interface TemplateInternals {
  path?: string;
  tmplStr?: string;
}
interface EnvironmentInternals {
  extensionsList: unknown[];
  opts: unknown;
  getTemplate(name: string, eager: boolean, parentName: string, ignoreMissing: boolean): nunjucks.Template;
}

/** A configured template, compiled. */
export interface CompiledTemplate {
  /** The template's name (its key under `templates`). */
  readonly name: string;
  /** Its file: the absolute path, or `<inline:NAME>`. */
  readonly file: string;
  readonly template: nunjucks.Template;
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
    return { name: config.name, file, template };
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
  const { path, tmplStr } = template as unknown as TemplateInternals;
  if (path === undefined || tmplStr === undefined || done.has(path)) return;
  done.add(path);
  const internals = env as unknown as EnvironmentInternals;
  const { extensionsList, opts } = internals;
  const root = parser.parse(tmplStr, extensionsList, opts);
  for (const tag of LOADING_TAGS.flatMap((type) => root.findAll(type))) {
    const name = tag.template;
    if (name?.typename !== 'Literal' || typeof name.value !== 'string') continue;
    let dependency: nunjucks.Template;
    try {
      dependency = internals.getTemplate(name.value, true, path, tag.ignoreMissing === true);
    } catch (err) {
      // A file that cannot be found is reported at the tag that names it.
      throw templateLocation(err) === undefined ? locateError(err, tag.lineno, tag.colno, path) : err;
    }
    compileDependencies(env, dependency, done);
  }
}
