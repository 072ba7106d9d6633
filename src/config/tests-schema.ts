/**
 * The `tests:` section of config.yaml (and of test files) as zod schemas: per test, its
 * fixtures and what each template's output must look like. Checks that need the rest of
 * the config or the file system (template names, fixture paths) are in tests.ts.
 */
import { z } from 'zod';
import { PathError, parsePath } from '../path/index.ts';
import { describeValue } from '../text/describe-value.ts';
import { DEFAULTS } from './defaults.ts';
import { apiVersion, mapping, oneOf, text } from './fields.ts';

/** The longest test name, in characters: names appear in one-line reports. */
const MAX_TEST_NAME = 200;

/** Marks an issue that belongs at a key (a name, a key that is not allowed there). */
const AT_KEY = { at: 'key' } as const;

/** Refinements run whenever the value is a mapping, even if some of its fields are wrong. */
const ON_MAPPINGS = {
  when: (payload: { value: unknown }) => payload.value !== null && typeof payload.value === 'object' && !Array.isArray(payload.value),
};

/** The keys of an expectation that look at the output, which a failing render does not have. */
export const OUTPUT_CHECKS = ['contains', 'not_contains', 'contains_in_order', 'matches', 'equals', 'line_count', 'jsonpath'] as const;

/** A key under `expect`: a template's name, or `<template>/<file>` for one file of a for_each template. */
const EXPECT_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_][A-Za-z0-9._-]*)?$/;

/** A problem with a value, at a path inside it. */
export interface ValueProblem {
  path: PropertyKey[];
  message: string;
}

/** Why `name` cannot name a test, or undefined when it can. */
export function testNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'a test name must not be empty';
  if (name !== name.trim()) return `invalid test name ${JSON.stringify(name)}: remove the spaces around it`;
  if (/\p{Cc}/u.test(name)) return `invalid test name ${JSON.stringify(name)}: it contains a control character`;
  if (name.length > MAX_TEST_NAME) return `test name too long (${name.length} characters, at most ${MAX_TEST_NAME})`;
  return undefined;
}

/**
 * What is wrong with `value` as a Kubernetes object (apiVersion, kind, metadata.name,
 * optional string namespace and string labels), each at its path; empty when nothing is.
 */
export function objectProblems(value: unknown): ValueProblem[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return [{ path: [], message: `expected a Kubernetes object (a mapping with apiVersion, kind and metadata), got ${describeValue(value)}` }];
  }
  const obj = value as Record<string, unknown>;
  const problems: ValueProblem[] = [];
  for (const key of ['apiVersion', 'kind'] as const) {
    if (typeof obj[key] !== 'string' || obj[key] === '') problems.push(missingText(obj, [key]));
  }
  const meta = obj.metadata;
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) {
    problems.push({ path: ['metadata'], message: `needs metadata with a name, got ${describeValue(meta)}` });
    return problems;
  }
  const metadata = meta as Record<string, unknown>;
  if (typeof metadata.name !== 'string' || metadata.name === '') problems.push(missingText(obj, ['metadata', 'name']));
  if (metadata.namespace !== undefined && metadata.namespace !== null && typeof metadata.namespace !== 'string') {
    problems.push({ path: ['metadata', 'namespace'], message: `expected text, got ${describeValue(metadata.namespace)}` });
  }
  problems.push(...labelProblems(metadata.labels));
  return problems;
}

function missingText(obj: Record<string, unknown>, path: string[]): ValueProblem {
  const key = path.join('.');
  const present = path.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
  return { path, message: present === undefined ? `a Kubernetes object needs ${key}` : `${key}: expected text, got ${describeValue(present)}` };
}

function labelProblems(labels: unknown): ValueProblem[] {
  if (labels === undefined || labels === null) return [];
  if (typeof labels !== 'object' || Array.isArray(labels)) {
    return [{ path: ['metadata', 'labels'], message: `expected a mapping of label names to values, got ${describeValue(labels)}` }];
  }
  return Object.entries(labels)
    .filter(([, v]) => typeof v !== 'string')
    .map(([k, v]) => ({ path: ['metadata', 'labels', k], message: `a label value must be text (quote it), got ${describeValue(v)}` }));
}

/** Why `source` is not a JavaScript regular expression, or undefined when it is one. */
export function regexProblem(source: string): string | undefined {
  try {
    new RegExp(source, 'm');
    return undefined;
  } catch (err) {
    return `invalid regular expression ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
}

/** Text, or a list of texts (a single text is a list of one). */
function textOrList(description: string) {
  return z
    .union([z.string(), z.array(z.string())], {
      error: (issue) => `expected text or a list of texts, got ${describeValue(issue.input)}`,
    })
    .meta({ description });
}

/** A regular expression, or a list of them; each must compile. */
function regexOrList(description: string) {
  return textOrList(description).superRefine((value, ctx) => {
    const sources = typeof value === 'string' ? [value] : value;
    sources.forEach((source, i) => {
      const message = regexProblem(source);
      if (message !== undefined) ctx.addIssue({ code: 'custom', path: typeof value === 'string' ? [] : [i], message });
    });
  });
}

function regex(description: string) {
  return text(description).superRefine((source, ctx) => {
    const message = regexProblem(source);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  });
}

function jsonPathExpression(description: string) {
  return z
    .string({ error: (issue) => `expected a path expression such as $.items[0].name, got ${describeValue(issue.input)}` })
    .superRefine((expr, ctx) => {
      try {
        parsePath(expr);
      } catch (err) {
        if (!(err instanceof PathError)) throw err;
        ctx.addIssue({ code: 'custom', message: `invalid JSONPath: ${err.message}` });
      }
    })
    .meta({ description });
}

/** Inline fixtures: a list of objects, or a text of YAML documents (checked in tests.ts). */
function fixturesField() {
  return z
    .union([z.string(), z.array(z.unknown())], {
      error: (issue) => `expected a list of Kubernetes objects or a text of YAML documents, got ${describeValue(issue.input)}`,
    })
    .superRefine((fixtures, ctx) => {
      if (typeof fixtures === 'string') return;
      fixtures.forEach((obj, i) => {
        for (const problem of objectProblems(obj)) ctx.addIssue({ code: 'custom', path: [i, ...problem.path], message: problem.message });
      });
    })
    .meta({ description: 'Objects the stores hold in this test: a list of objects, or a text of YAML documents (`|`).' });
}

function objectReference() {
  return mapping(
    {
      api_version: apiVersion('apiVersion of the object; any when absent.').optional(),
      kind: text('Kind of the object, e.g. Secret.'),
      namespace: text('Namespace of the object; absent for cluster-scoped objects.').optional(),
      name: text('Name of the object.'),
    },
    'An object of the base manifests to leave out.',
  );
}

function expectationSchema() {
  return mapping(
    {
      contains: textOrList('Text the output contains (or a list of them).').optional(),
      not_contains: textOrList('Text the output does not contain (or a list of them).').optional(),
      contains_in_order: z
        .array(z.string(), { error: (issue) => `expected a list of texts, got ${describeValue(issue.input)}` })
        .min(1, { error: 'needs at least one text' })
        .meta({ description: 'Texts the output contains in this order.' })
        .optional(),
      matches: regexOrList('A regular expression (JavaScript, multiline: ^ and $ match at line ends) the output matches.').optional(),
      equals: text('A golden file the output equals, relative to this file; `informant test --update-golden` writes it.').optional(),
      line_count: z
        .number({ error: (issue) => `expected a number, got ${describeValue(issue.input)}` })
        .int({ error: 'expected a whole number' })
        .min(0, { error: 'must be at least 0' })
        .meta({ description: 'The number of lines of the output.' })
        .optional(),
      jsonpath: z
        .array(
          mapping(
            {
              path: jsonPathExpression('A JSONPath into the output parsed as JSON or YAML.'),
              equals: z.unknown().meta({ description: 'The value the path selects (a list for paths that select several).' }).optional(),
            },
            'A value of a JSON or YAML output.',
          ),
          { error: (issue) => `expected a list of {path, equals} entries, got ${describeValue(issue.input)}` },
        )
        .optional(),
      files: z
        .array(z.string({ error: (issue) => `expected a file name, got ${describeValue(issue.input)}` }), {
          error: (issue) => `expected a list of file names, got ${describeValue(issue.input)}`,
        })
        .meta({ description: 'for_each templates: exactly the files the template renders (names in its folder, in any order).' })
        .optional(),
      expect_error: regex('A regular expression the render error matches: the render must fail.').optional(),
    },
    'What one template (or one file of a for_each template, `<template>/<file>`) renders in this test; {} only requires that it renders.',
  ).superRefine((expectation, ctx) => {
    if (expectation.expect_error === undefined) return;
    const combined = [...OUTPUT_CHECKS, 'files' as const].filter((key) => expectation[key] !== undefined);
    if (combined.length === 0) return;
    const message = `expect_error cannot be combined with ${combined.join(', ')}: a render that fails has no output`;
    ctx.addIssue({ code: 'custom', path: ['expect_error'], message, params: AT_KEY });
  }, ON_MAPPINGS);
}

function testSchema() {
  return mapping(
    {
      description: text('What the test shows, in a sentence.').optional(),
      fixtures_mode: oneOf(
        ['layer', 'replace'],
        'fixtures mode',
        'layer: fixtures on top of the manifests of source.files; replace: the fixtures alone.',
      ).default(DEFAULTS.fixturesMode),
      fixtures: fixturesField().optional(),
      fixture_files: z
        .array(text('A manifest file or folder, relative to this file.'), {
          error: (issue) => `expected a list of paths, e.g. [fixtures/tls.yaml], got ${describeValue(issue.input)}`,
        })
        .meta({ description: 'Manifest files or folders read for this test, relative to this file.' })
        .optional(),
      remove: z
        .array(objectReference(), { error: (issue) => `expected a list of {kind, namespace, name} entries, got ${describeValue(issue.input)}` })
        .meta({ description: 'Objects of the base manifests this test leaves out (fixtures_mode: layer).' })
        .optional(),
      expect: z
        .record(z.string(), expectationSchema(), {
          error: (issue) => (issue.code === 'invalid_type' ? `expected a mapping of names to entries, got ${describeValue(issue.input)}` : undefined),
        })
        .meta({
          description: 'What each template renders, by template name; `<template>/<file>` checks one file of a for_each template.',
          propertyNames: { pattern: EXPECT_KEY.source },
        })
        .refine(
        (expect) => Object.keys(expect).length > 0,
        { error: 'needs at least one template to check, e.g. expect: {haproxy.cfg: {contains: "backend web"}}' },
      ),
    },
    'A template test: fixtures in, assertions on the rendered outputs.',
  );
}

/** The `tests:` mapping of test names to tests. */
export function testsSchema() {
  return z
    .record(z.string(), testSchema(), {
      error: (issue) => (issue.code === 'invalid_type' ? `expected a mapping of test names to tests, got ${describeValue(issue.input)}` : undefined),
    })
    .superRefine((tests, ctx) => {
      for (const name of Object.keys(tests)) {
        const message = testNameProblem(name);
        if (message !== undefined) ctx.addIssue({ code: 'custom', path: [name], message, params: AT_KEY });
      }
    }, ON_MAPPINGS)
    .meta({ description: 'Template tests run by `informant test`: fixtures in, assertions on the rendered outputs.' });
}

/** `test_files:` the files holding further tests. */
export function testFilesSchema() {
  return z
    .array(text('A YAML file with a `tests:` mapping, relative to the config file.'), {
      error: (issue) => `expected a list of paths, e.g. [tests/haproxy.yaml], got ${describeValue(issue.input)}`,
    })
    .meta({ description: 'Files holding further tests (a `tests:` mapping each), relative to the config file.' });
}

/** A test file: a `tests:` mapping, as in config.yaml. */
export function testFileSchema() {
  return mapping({ tests: testsSchema() }, 'Template tests for informant (a `tests:` mapping, as in config.yaml).');
}
