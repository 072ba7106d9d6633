/**
 * The files a template loads, read with nunjucks' parser and loader: what compile.ts needs
 * to compile a template's literal includes, imports and extends up front.
 */
import type { Environment, Template } from 'nunjucks';
import { environmentInternals, nodes, parser, templateInternals } from './internals.ts';

/** A tag that names the file it loads with a string literal (`{% include "x.njk" %}`). */
export interface LiteralLoad {
  /** The file name as written. */
  readonly name: string;
  /** The tag's 0-based line. */
  readonly lineno: number;
  /** The tag's 0-based column. */
  readonly colno: number;
  /** `ignore missing` was given. */
  readonly ignoreMissing: boolean;
}

/** The tags that load another file. */
const LOADING_TAGS = [nodes.Include!, nodes.Import!, nodes.FromImport!, nodes.Extends!];

/** The file `template` was read from, and its source; undefined for a template built from a string. */
export function templateFile(template: Template): { path: string; source: string } | undefined {
  const { path, tmplStr } = templateInternals(template);
  return path === undefined || tmplStr === undefined ? undefined : { path, source: tmplStr };
}

/**
 * The tags of `source` that load a file named literally, parsed as `env` parses: includes,
 * then imports, `from` imports and extends, each in source order.
 */
export function literalLoads(env: Environment, source: string): LiteralLoad[] {
  const { extensionsList, opts } = environmentInternals(env);
  const root = parser.parse(source, extensionsList, opts);
  const loads: LiteralLoad[] = [];
  for (const tag of LOADING_TAGS.flatMap((type) => root.findAll(type))) {
    const name = tag.template;
    if (name?.typename !== 'Literal' || typeof name.value !== 'string') continue;
    loads.push({ name: name.value, lineno: tag.lineno, colno: tag.colno, ignoreMissing: tag.ignoreMissing === true });
  }
  return loads;
}

/** Reads and compiles the file `name` loaded from the file `parentPath`, as the tag would at render time. */
export function loadTemplate(env: Environment, name: string, parentPath: string, ignoreMissing: boolean): Template {
  return environmentInternals(env).getTemplate(name, true, parentPath, ignoreMissing);
}
