/**
 * inspectConfig: everything `informant check-config` can learn about a config file in
 * one run, also when it has problems. It reports the problems of every stage the file
 * reaches (YAML, the schema with its cross-field rules, the tests and their files, even
 * when other parts of the schema fail), and hands over the parts later checks need (the
 * templates to compile, the watched resources' names, the manifests path), read from the
 * file as far as they are usable.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError, type ConfigProblem } from './errors.ts';
import { parseConfig, type ConfigOptions } from './load.ts';
import { positionOf, type YamlSource } from './positions.ts';
import { problemAt } from './problems.ts';
import { loadTests } from './tests.ts';
import { testFilesSchema, testsSchema } from './tests-schema.ts';
import type { Config, TemplateConfig } from './types.ts';
import { parseYaml, toPlainData } from './yaml.ts';

/** What a config file holds, problems included (see the module comment). */
export interface ConfigInspection {
  /** The config, when it has no problem. */
  readonly config: Config | undefined;
  /** Every problem found, in file order per file. */
  readonly problems: readonly ConfigProblem[];
  /** Folder relative paths are resolved against. */
  readonly baseDir: string;
  /** The templates whose text is known (a path or inline), to compile. */
  readonly templates: readonly TemplateConfig[];
  /** The watched resources' names; undefined when watched_resources is not a mapping. */
  readonly resources: readonly string[] | undefined;
  /** source.files.path resolved, and a problem at where it is written. */
  readonly manifests: { readonly path: string; problem(message: string): ConfigProblem } | undefined;
}

/** Inspects the config file `file` (see the module comment); never throws. */
export async function inspectConfig(file: string, options: ConfigOptions = {}): Promise<ConfigInspection> {
  const baseDir = options.baseDir ?? dirname(resolve(file));
  const empty = { config: undefined, baseDir, templates: [], resources: undefined, manifests: undefined };
  let text: string;
  let source: YamlSource;
  let data: unknown;
  try {
    text = await readFile(file, 'utf8');
    source = parseYaml(text, file);
    data = toPlainData(source, file);
  } catch (err) {
    const problems = err instanceof ConfigError ? err.problems : [{ file, line: 0, col: 0, path: '', message: `cannot read the config file: ${(err as Error).message}` }];
    return { ...empty, problems };
  }
  const document = { file, source };
  try {
    const config = parseConfig(text, file, { ...options, tests: true });
    return { config, problems: [], baseDir, templates: config.templates, resources: config.watchedResources.map((r) => r.name), manifests: manifestsOf(data, document, baseDir) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const problems = [...err.problems, ...salvagedTestProblems(data, { file, baseDir, text, source })];
    return { config: undefined, problems, baseDir, templates: templatesOf(data, document, baseDir), resources: resourcesOf(data), manifests: manifestsOf(data, document, baseDir) };
  }
}

/**
 * The problems of the tests and their files when the rest of the config failed the schema:
 * read when the tests sections themselves are valid (their own problems are the schema's).
 */
function salvagedTestProblems(data: unknown, context: { file: string; baseDir: string; text: string; source: YamlSource }): ConfigProblem[] {
  const tests = testsSchema().optional().safeParse(field(data, 'tests'));
  const files = testFilesSchema().optional().safeParse(field(data, 'test_files'));
  if (!tests.success || !files.success) return [];
  const templateMap = mappingOf(field(data, 'templates')) ?? {};
  const templates = Object.keys(templateMap);
  const forEachTemplates = templates.filter((name) => field(templateMap[name], 'for_each') !== undefined);
  const source = mappingOf(field(data, 'source')) ?? {};
  const sourceKind = 'files' in source ? 'files' : 'shared' in source ? 'shared' : 'kubernetes';
  try {
    loadTests({ tests: tests.data, test_files: files.data }, { ...context, templates, forEachTemplates, sourceKind, complete: true });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
}

/** The templates of the file whose text is known: `path` (resolved) or `inline`. */
function templatesOf(data: unknown, document: { file: string; source: YamlSource }, baseDir: string): TemplateConfig[] {
  const templates: TemplateConfig[] = [];
  for (const [name, raw] of Object.entries(mappingOf(field(data, 'templates')) ?? {})) {
    const path = field(raw, 'path');
    const inline = field(raw, 'inline');
    if (typeof path !== 'string' && typeof inline !== 'string') continue;
    const output = resolve(baseDir, String(field(raw, 'output') ?? name));
    const text = typeof path === 'string' ? { path: resolve(baseDir, path) } : { inline: inline as string };
    templates.push({ name, output, mode: 0o644, ...text, position: positionOf(document, ['templates', name]) });
  }
  return templates;
}

function resourcesOf(data: unknown): string[] | undefined {
  const resources = mappingOf(field(data, 'watched_resources'));
  return resources === undefined ? undefined : Object.keys(resources);
}

function manifestsOf(data: unknown, document: { file: string; source: YamlSource }, baseDir: string): ConfigInspection['manifests'] {
  const path = field(field(field(data, 'source'), 'files'), 'path');
  if (typeof path !== 'string' || path === '') return undefined;
  return { path: resolve(baseDir, path), problem: (message) => problemAt(document, ['source', 'files', 'path'], 'value', message) };
}

function field(value: unknown, key: string): unknown {
  return mappingOf(value)?.[key];
}

function mappingOf(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
