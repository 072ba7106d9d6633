/**
 * parseConfig / loadConfig: YAML text → validated, normalized Config, or one ConfigError
 * listing every problem (YAML-level problems first; the schema only runs on well-formed
 * YAML): defaults → file → validate → normalize, in one function.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError } from './errors.ts';
import { normalizeConfig } from './normalize.ts';
import { positionOf } from './positions.ts';
import { issuesToProblems, problemAt } from './problems.ts';
import { buildConfigSchema, configSchema, sharedBackendsOf, storeBackendsOf, type SchemaOptions } from './schema.ts';
import { applySharedFlags, type SharedFlagValues } from './shared/flags.ts';
import { inLegacySection, legacySections } from './shared/legacy.ts';
import { loadTests } from './tests.ts';
import type { Config } from './types.ts';
import { parseYaml, toPlainData } from './yaml.ts';

/** The file name used for config text that did not come from a file. */
export const INLINE_FILE = '<inline>';

/** Options of parseConfig and loadConfig. */
export interface ConfigOptions extends SchemaOptions {
  /** Folder relative paths are resolved against; default the config file's folder (the working directory for inline text). */
  baseDir?: string;
  /**
   * Load the template tests completely (`informant test`): read the files test_files names,
   * check that fixture paths exist, and set Config.tests. Default false: the tests section
   * is still validated, but nothing else is read, so a deployed config works without its
   * test files and fixtures.
   */
  tests?: boolean;
  /** Values of the shared-store backends' command-line flags (`postgres-url` → text), applied over the file. */
  sharedFlags?: SharedFlagValues;
}

/**
 * Parses and validates config text. `file` names it in problems (as given) and, resolved,
 * in Config.file; relative paths are resolved against its folder. Throws ConfigError
 * listing every problem.
 */
export function parseConfig(text: string, file: string = INLINE_FILE, options: ConfigOptions = {}): Config {
  const source = parseYaml(text, file);
  const custom = options.storeTypes !== undefined || options.storeBackends !== undefined || options.sharedBackends !== undefined;
  const schema = custom ? buildConfigSchema(options) : configSchema;
  const flagged = applySharedFlags(toPlainData(source, file), options.sharedFlags ?? {}, sharedBackendsOf(options));
  const data = flagged.data;
  const legacy = legacySections(data);
  const result = schema.safeParse(data, { reportInput: true });
  const issues = result.success ? [] : result.error.issues.filter((issue) => !inLegacySection(issue.path, legacy));
  const problems = [
    ...flagged.problems.map(({ flag, message }) => ({ file, line: 0, col: 0, path: `--${flag}`, message })),
    ...legacy.map((section) => problemAt({ file, source }, section.path, 'key', section.message)),
    ...issuesToProblems(issues, { file, source, data, schema }),
  ];
  if (!result.success || problems.length > 0) throw new ConfigError(file, problems);
  const absolute = file === INLINE_FILE ? file : resolve(file);
  const baseDir = options.baseDir ?? (file === INLINE_FILE ? process.cwd() : dirname(absolute));
  const config = normalizeConfig(result.data, {
    file: absolute,
    baseDir,
    positionOf: (path) => positionOf({ file, source }, path),
    storeBackends: storeBackendsOf(options),
    sharedBackends: sharedBackendsOf(options),
  });
  const templates = config.templates.map((t) => t.name);
  const forEachTemplates = config.templates.filter((t) => t.forEach !== undefined).map((t) => t.name);
  const sourceKind = config.source.kind;
  const tests = loadTests(result.data, { file, baseDir, text, source, templates, forEachTemplates, sourceKind, complete: options.tests ?? false });
  if (tests !== undefined) config.tests = tests;
  return config;
}

/** Reads, parses and validates a config file. Throws ConfigError (also when it cannot be read). */
export async function loadConfig(file: string, options: ConfigOptions = {}): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const message = `cannot read the config file: ${(err as Error).message}`;
    throw new ConfigError(file, [{ file, line: 0, col: 0, path: '', message }], { cause: err });
  }
  return parseConfig(text, file, options);
}
