/**
 * loadTests: the template tests of a validated config, from its `tests:` section and the
 * files `test_files:` names, checked against the rest of the config (template names, the
 * source, fixture paths on disk) and normalized. Every problem names its file, line,
 * column and key path, as for the rest of the config.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { KubeObject } from '../k8s.ts';
import { ConfigError, type ConfigProblem } from './errors.ts';
import { parseFixtureText } from './fixture-text.ts';
import { inFileOrder, positionOf, type YamlSource } from './positions.ts';
import { formatKeyPath, issuesToProblems, problemAt } from './problems.ts';
import type { RawConfig } from './schema.ts';
import { fileNameProblem } from '../text/file-name.ts';
import { OUTPUT_CHECKS, testFileSchema } from './tests-schema.ts';
import type { ObjectReference, SourcePosition, TemplateExpectation, TemplateTestConfig } from './types.ts';
import { parseYaml, toPlainData } from './yaml.ts';

type RawTests = NonNullable<RawConfig['tests']>;
type RawTest = RawTests[string];
type RawExpectation = RawTest['expect'][string];

/** What loadTests needs to know about the config the tests belong to. */
export interface TestsContext {
  /** The config file as named in problems; "<inline>" for text. */
  readonly file: string;
  /** Folder the config's relative paths are resolved against. */
  readonly baseDir: string;
  /** The config's text and parsed document, for positions. */
  readonly text: string;
  readonly source: YamlSource;
  /** The names of the configured templates. */
  readonly templates: readonly string[];
  /** Those of them with for_each (their expectations name a file: `<template>/<file>`). */
  readonly forEachTemplates: readonly string[];
  /** What the config watches: `layer` tests need the manifests of a files source. */
  readonly sourceKind: 'kubernetes' | 'files' | 'shared';
  /**
   * Read test_files and check fixture paths on disk, and return the tests; when false only
   * the config's own tests section is checked (nothing is read) and nothing is returned.
   */
  readonly complete: boolean;
}

/** A file holding tests (config.yaml itself, or a test file), parsed and validated. */
interface TestDocument {
  /** The file as named in problems. */
  readonly file: string;
  /** Folder its relative paths are resolved against. */
  readonly baseDir: string;
  readonly text: string;
  readonly source: YamlSource;
  readonly tests: RawTests;
}

/**
 * The tests of `tests` and then of each `test_files` entry, each in file order; undefined
 * when the config has neither key or `context.complete` is false. Throws ConfigError
 * listing every problem.
 */
export function loadTests(raw: Pick<RawConfig, 'tests' | 'test_files'>, context: TestsContext): TemplateTestConfig[] | undefined {
  if (raw.tests === undefined && raw.test_files === undefined) return undefined;
  const problems: ConfigProblem[] = [];
  const documents: TestDocument[] = [];
  const files = [context.file];
  if (raw.tests !== undefined) documents.push({ ...context, tests: raw.tests });
  (context.complete ? (raw.test_files ?? []) : []).forEach((entry, index) => {
    const read = readTestFile(entry, index, context);
    files.push(read.file);
    if ('problems' in read) problems.push(...read.problems);
    else documents.push(read);
  });
  problems.push(...duplicateNames(documents));
  const tests = documents.flatMap((document) => {
    const found = documentTests(document, context);
    problems.push(...found.problems);
    return found.tests;
  });
  if (problems.length > 0) throw new ConfigError(context.file, inFileOrderOf(files, problems));
  return context.complete ? tests : undefined;
}

/** Problems sorted by file (in the order given), then by position. */
function inFileOrderOf(files: readonly string[], problems: ConfigProblem[]): ConfigProblem[] {
  const rank = (problem: ConfigProblem) => files.indexOf(problem.file);
  return problems.sort((a, b) => rank(a) - rank(b) || a.line - b.line || a.col - b.col);
}

/** Reads, parses and validates one test file; its problems name the test file. */
function readTestFile(entry: string, index: number, context: TestsContext): TestDocument | { file: string; problems: ConfigProblem[] } {
  const path = resolve(context.baseDir, entry);
  // Named like the config: relative to its name, or absolute for inline config text (INLINE_FILE).
  const file = context.file === '<inline>' || isAbsolute(entry) ? path : join(dirname(context.file), entry);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const message = `cannot read the test file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    return { file, problems: [problemAt(context, ['test_files', index], 'value', message)] };
  }
  try {
    const source = parseYaml(text, file);
    const data = toPlainData(source, file);
    const schema = testFileSchema();
    const result = schema.safeParse(data, { reportInput: true });
    if (!result.success) return { file, problems: issuesToProblems(result.error.issues, { file, source, data, schema }) };
    return { file, baseDir: dirname(path), text, source, tests: result.data.tests };
  } catch (err) {
    if (err instanceof ConfigError) return { file, problems: [...err.problems] };
    throw err;
  }
}

/** A test name defined in two files (config.yaml and a test file, or two test files). */
function duplicateNames(documents: readonly TestDocument[]): ConfigProblem[] {
  const seen = new Map<string, SourcePosition>();
  const problems: ConfigProblem[] = [];
  for (const document of documents) {
    for (const name of Object.keys(document.tests)) {
      const position = positionOf(document, ['tests', name]);
      const first = seen.get(name);
      if (first === undefined) {
        seen.set(name, position);
        continue;
      }
      const message = `test ${JSON.stringify(name)} is already defined at ${first.file}:${first.line}:${first.col}`;
      problems.push({ ...position, path: formatKeyPath(['tests', name]), message });
    }
  }
  return problems;
}

/** The normalized tests of one document, in file order, and what is wrong with them. */
function documentTests(document: TestDocument, context: TestsContext): { tests: TemplateTestConfig[]; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const tests = Object.entries(document.tests).map(([name, raw]) => {
    problems.push(...checkTest(document, name, raw, context));
    const fixtures = inlineFixtures(document, name, raw);
    problems.push(...fixtures.problems);
    return normalizeTest(document, name, raw, fixtures.objects);
  });
  return { tests: inFileOrder(tests), problems };
}

/** What the schema cannot see: template names, the source, fixture paths on disk. */
function checkTest(document: TestDocument, name: string, raw: RawTest, context: TestsContext): ConfigProblem[] {
  const at = (path: PropertyKey[]) => ['tests', name, ...path];
  const problems: ConfigProblem[] = [];
  for (const [key, expectation] of Object.entries(raw.expect)) {
    const message = expectKeyProblem(key, expectation, context);
    if (message !== undefined) problems.push(problemAt(document, at(['expect', key]), 'key', message));
  }
  if (raw.fixtures_mode === 'layer' && context.sourceKind !== 'files') {
    const message =
      'layer (the default) puts the fixtures on top of the manifests of source.files, ' +
      'but this config watches a cluster: set fixtures_mode: replace';
    problems.push(problemAt(document, at(['fixtures_mode']), 'value', message));
  }
  if (raw.remove !== undefined && raw.fixtures_mode === 'replace') {
    const message = 'remove takes objects out of the manifests of source.files, which fixtures_mode: replace does not read';
    problems.push(problemAt(document, at(['remove']), 'key', message));
  }
  (context.complete ? (raw.fixture_files ?? []) : []).forEach((entry, i) => {
    const path = resolve(document.baseDir, entry);
    if (!existsSync(path)) problems.push(problemAt(document, at(['fixture_files', i]), 'value', `fixture path ${path} does not exist`));
  });
  return problems;
}

/**
 * What is wrong with a key under `expect` and the checks under it: an unknown template; a
 * file of a template without for_each; content checks on a for_each template as a whole
 * (they need a file); `files` anywhere but there.
 */
function expectKeyProblem(key: string, expectation: RawExpectation, context: TestsContext): string | undefined {
  const slash = key.indexOf('/');
  const template = slash < 0 ? key : key.slice(0, slash);
  if (!context.templates.includes(template)) {
    const known = context.templates.length > 0 ? context.templates.join(', ') : 'none';
    return `unknown template ${JSON.stringify(template)}; templates: ${known}`;
  }
  const forEach = context.forEachTemplates.includes(template);
  if (slash >= 0) {
    if (!forEach) return `template ${JSON.stringify(template)} has no for_each: it writes one output, checked as ${JSON.stringify(template)}`;
    const problem = fileNameProblem(key.slice(slash + 1));
    if (problem !== undefined) return `${JSON.stringify(key)}: ${problem}`;
    if (expectation.files !== undefined) return `files lists the files of the whole template: check it under ${JSON.stringify(template)}`;
    return undefined;
  }
  if (forEach) {
    const checks = OUTPUT_CHECKS.filter((check) => expectation[check] !== undefined);
    if (checks.length > 0) return `template ${JSON.stringify(template)} writes one file per element: check ${checks.join(', ')} on a file, as ${JSON.stringify(`${template}/<file>`)}`;
  } else if (expectation.files !== undefined) {
    return `files checks the files of a for_each template; ${JSON.stringify(template)} writes one output`;
  }
  return undefined;
}

/** The inline fixtures as objects: the list as written, or the documents of the text. */
function inlineFixtures(document: TestDocument, name: string, raw: RawTest): { objects: KubeObject[]; problems: ConfigProblem[] } {
  if (raw.fixtures === undefined) return { objects: [], problems: [] };
  if (typeof raw.fixtures !== 'string') return { objects: raw.fixtures as KubeObject[], problems: [] };
  const path = ['tests', name, 'fixtures'];
  const parsed = parseFixtureText(raw.fixtures, { file: document.file, text: document.text, source: document.source, path });
  return { objects: parsed.objects, problems: parsed.problems };
}

function normalizeTest(document: TestDocument, name: string, raw: RawTest, fixtures: KubeObject[]): TemplateTestConfig {
  const test: TemplateTestConfig = {
    name,
    fixturesMode: raw.fixtures_mode,
    fixtures,
    fixtureFiles: (raw.fixture_files ?? []).map((entry) => resolve(document.baseDir, entry)),
    remove: (raw.remove ?? []).map(objectReference),
    expect: inFileOrder(Object.entries(raw.expect).map(([template, e]) => expectation(document, name, template, e))),
    position: positionOf(document, ['tests', name]),
  };
  if (raw.description !== undefined) test.description = raw.description;
  return test;
}

function objectReference(raw: NonNullable<RawTest['remove']>[number]): ObjectReference {
  const reference: ObjectReference = { kind: raw.kind, name: raw.name };
  if (raw.api_version !== undefined) reference.apiVersion = raw.api_version;
  if (raw.namespace !== undefined) reference.namespace = raw.namespace;
  return reference;
}

function expectation(document: TestDocument, name: string, key: string, raw: RawExpectation): TemplateExpectation {
  const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : typeof value === 'string' ? [value] : [...value]);
  const slash = key.indexOf('/');
  const result: TemplateExpectation = {
    template: slash < 0 ? key : key.slice(0, slash),
    contains: list(raw.contains),
    notContains: list(raw.not_contains),
    containsInOrder: list(raw.contains_in_order),
    matches: list(raw.matches),
    jsonPath: (raw.jsonpath ?? []).map((entry) =>
      Object.hasOwn(entry, 'equals') ? { path: entry.path, expected: { value: entry.equals } } : { path: entry.path },
    ),
    position: positionOf(document, ['tests', name, 'expect', key]),
  };
  if (slash >= 0) result.file = key.slice(slash + 1);
  if (raw.files !== undefined) result.files = [...raw.files];
  if (raw.equals !== undefined) result.equals = resolve(document.baseDir, raw.equals);
  if (raw.line_count !== undefined) result.lineCount = raw.line_count;
  if (raw.expect_error !== undefined) result.expectError = raw.expect_error;
  return result;
}

