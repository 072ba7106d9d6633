/**
 * Checks one template's outcome against what a test expects of it. Each failed check is
 * one TestFailure naming the template, the check (the config key) and what was found.
 */
import type { TemplateConfig, TemplateExpectation } from '../config/types.ts';
import { splitLines } from '../text/diff.ts';
import { checkGolden } from './golden.ts';
import { closestPattern, closestText } from './closest-match.ts';
import type { OutputExcerpt, TestFailure } from './types.ts';
import { jsonPathProblem, parseStructured } from './json-path.ts';
import type { TemplateOutcome } from './render.ts';
import { sourceExcerpt } from './source-excerpt.ts';

/** What checking needs besides the expectation and the outcome. */
export interface CheckContext {
  /** Rewrite golden files that differ instead of failing. */
  updateGolden: boolean;
  /** How a path appears in messages. */
  display: (path: string) => string;
  /** The configured templates, for the source line of a render error. */
  templates: readonly TemplateConfig[];
}

/** What checking one expectation found: failures, and notes such as golden files written. */
export interface CheckResult {
  failures: TestFailure[];
  notes: string[];
}

/** Checks `outcome` (the render of `expectation.template`) against `expectation`. */
export async function checkExpectation(expectation: TemplateExpectation, rendered: TemplateOutcome, context: CheckContext): Promise<CheckResult> {
  const template = expectation.file === undefined ? expectation.template : `${expectation.template}/${expectation.file}`;
  const outcome = expectation.file === undefined ? rendered : fileOutcome(rendered, expectation.file);
  if (outcome === undefined) return { failures: [{ template, assertion: 'render', message: missingFile(rendered, expectation.file!) }], notes: [] };
  if (expectation.expectError !== undefined) return { failures: expectedError(template, expectation.expectError, outcome), notes: [] };
  if (outcome.ok && outcome.files !== undefined) return { failures: filesFailures(template, expectation.files, outcome), notes: [] };
  if (!outcome.ok) {
    const failure: TestFailure = { template, assertion: 'render', message: `the render failed: ${outcome.error.message}` };
    const source = await sourceExcerpt(outcome.error, context.templates);
    if (source !== undefined) failure.source = source;
    return { failures: [failure], notes: [] };
  }
  const content = outcome.content;
  const failures = [...textFailures(expectation, content), ...jsonPathFailures(expectation, content)];
  const notes: string[] = [];
  if (expectation.equals !== undefined) {
    const golden = await checkGolden(expectation.equals, content, { template, update: context.updateGolden, display: context.display });
    if (golden.failure !== undefined) failures.push(golden.failure);
    if (golden.note !== undefined) notes.push(golden.note);
  }
  return { failures, notes };
}

/** One file of a for_each template's outcome: its content, the error of its element, or undefined when no element renders to it. */
function fileOutcome(rendered: TemplateOutcome, file: string): TemplateOutcome | undefined {
  if (!rendered.ok) return rendered;
  const error = rendered.failedFiles?.get(file);
  if (error !== undefined) return { ok: false, error };
  const content = rendered.files?.get(file);
  return content === undefined ? undefined : { ok: true, content };
}

function missingFile(rendered: TemplateOutcome, file: string): string {
  const names = rendered.ok ? [...(rendered.files?.keys() ?? []), ...(rendered.failedFiles?.keys() ?? [])].sort() : [];
  return `no element renders to the file ${quote(file)}; the files: ${names.length > 0 ? names.join(', ') : 'none'}`;
}

/** A for_each template as a whole: every element rendered, and `files` (when given) is exactly its files. */
function filesFailures(template: string, expected: readonly string[] | undefined, outcome: { files?: ReadonlyMap<string, string>; failedFiles?: ReadonlyMap<string, Error> }): TestFailure[] {
  const failures: TestFailure[] = [...(outcome.failedFiles ?? [])].map(([file, error]) => ({ template: `${template}/${file}`, assertion: 'render', message: `the render failed: ${error.message}` }));
  if (expected === undefined) return failures;
  const actual = new Set([...(outcome.files?.keys() ?? []), ...(outcome.failedFiles?.keys() ?? [])]);
  const missing = expected.filter((name) => !actual.has(name));
  const extra = [...actual].filter((name) => !expected.includes(name)).sort();
  if (missing.length > 0 || extra.length > 0) {
    const parts = [...(missing.length > 0 ? [`missing ${missing.join(', ')}`] : []), ...(extra.length > 0 ? [`not expected ${extra.join(', ')}`] : [])];
    failures.push({ template, assertion: 'files', message: `the files differ: ${parts.join('; ')}` });
  }
  return failures;
}

/** expect_error: the render must have failed, with a message the pattern matches. */
function expectedError(template: string, pattern: string, outcome: TemplateOutcome): TestFailure[] {
  const regex = new RegExp(pattern, 'm');
  const fail = (message: string): TestFailure[] => [{ template, assertion: 'expect_error', message }];
  if (outcome.ok) {
    const lines = splitLines(outcome.content).length;
    return fail(`rendered ${lines} line(s) without an error; expected the render to fail with a message matching ${regex}`);
  }
  if (regex.test(outcome.error.message)) return [];
  return fail(`the render failed with a message that does not match ${regex}: ${outcome.error.message}`);
}

/** contains, not_contains, contains_in_order, matches and line_count. */
function textFailures(expectation: TemplateExpectation, content: string): TestFailure[] {
  const template = expectation.template;
  const failures: TestFailure[] = [];
  const fail = (assertion: string, message: string, closest?: OutputExcerpt) =>
    failures.push({ template, assertion, message, ...(closest ? { closest } : {}) });
  for (const text of expectation.contains) {
    if (!content.includes(text)) fail('contains', `the output does not contain ${quote(text)}`, closestText(content, text));
  }
  for (const text of expectation.notContains) {
    const at = content.indexOf(text);
    if (at >= 0) fail('not_contains', `the output contains ${quote(text)} (line ${lineAt(content, at)})`);
  }
  const order = orderProblem(expectation.containsInOrder, content);
  if (order !== undefined) fail('contains_in_order', order.message, order.missing === undefined ? undefined : closestText(content, order.missing));
  for (const source of expectation.matches) {
    const regex = new RegExp(source, 'm');
    if (!regex.test(content)) fail('matches', `the output does not match ${regex}`, closestPattern(content, source));
  }
  const count = splitLines(content).length;
  if (expectation.lineCount !== undefined && count !== expectation.lineCount) {
    fail('line_count', `the output has ${count} line(s); expected ${expectation.lineCount}`);
  }
  return failures;
}

/**
 * Why `texts` do not appear in this order (each after the end of the previous one), and the
 * text the output lacks altogether, if that is why; undefined when they do.
 */
function orderProblem(texts: readonly string[], content: string): { message: string; missing?: string } | undefined {
  let from = 0;
  let previous: { text: string; line: number } | undefined;
  for (const text of texts) {
    const at = content.indexOf(text, from);
    if (at >= 0) {
      previous = { text, line: lineAt(content, at) };
      from = at + text.length;
      continue;
    }
    if (!content.includes(text)) return { message: `the output does not contain ${quote(text)}`, missing: text };
    const found = lineAt(content, content.indexOf(text));
    return { message: `${quote(text)} (line ${found}) does not come after ${quote(previous!.text)} (line ${previous!.line})` };
  }
  return undefined;
}

function jsonPathFailures(expectation: TemplateExpectation, content: string): TestFailure[] {
  if (expectation.jsonPath.length === 0) return [];
  const template = expectation.template;
  const parsed = parseStructured(content);
  if ('error' in parsed) return [{ template, assertion: 'jsonpath', message: parsed.error }];
  return expectation.jsonPath.flatMap((check) => {
    const message = jsonPathProblem(parsed.data, check);
    return message === undefined ? [] : [{ template, assertion: 'jsonpath', message }];
  });
}

/** The 1-based line of a character offset. */
function lineAt(content: string, offset: number): number {
  let line = 1;
  for (let i = content.indexOf('\n'); i >= 0 && i < offset; i = content.indexOf('\n', i + 1)) line++;
  return line;
}

/** A text in double quotes, line breaks, tabs and other control characters escaped so they are visible. */
function quote(text: string): string {
  return `"${text.replace(/\p{Cc}/gu, (c) => JSON.stringify(c).slice(1, -1))}"`;
}
