/**
 * runTemplateTests: runs the selected tests of a config one after another, each in
 * isolation, and reports each result as soon as it is known.
 */
import { performance } from 'node:perf_hooks';
import type { Config, TemplateTestConfig } from '../config/types.ts';
import type { KubeObject } from '../k8s.ts';
import { silentLogger, type Logger } from '../log.ts';
import { displayPath } from './display.ts';
import { checkExpectation, type CheckContext, type CheckResult } from './assertions.ts';
import { BaseManifests, testObjects } from './fixtures.ts';
import type { TestFailure, TestResult, TestRunSummary } from './types.ts';
import { renderFromObjects } from './render.ts';

/** What runTemplateTests runs, and how. */
export interface TemplateTestRunOptions {
  config: Config;
  /** Runs only the tests whose name this matches; default every test. */
  filter?: RegExp;
  /** Rewrite the golden files of the selected tests with their outputs instead of failing on a difference. */
  updateGolden?: boolean;
  /** Default: silent. */
  logger?: Logger;
  /** A clock in milliseconds, for durations; default performance.now. */
  now?: () => number;
  /** Paths in messages are shown relative to this folder when inside it; default the working directory. */
  cwd?: string;
  /** Hears each result as soon as its test has run. */
  onResult?: (result: TestResult) => void;
}

/** The config's tests whose name `filter` matches (every test without one), in config order. */
export function selectTests(config: Config, filter?: RegExp): TemplateTestConfig[] {
  const tests = config.tests ?? [];
  if (filter === undefined) return [...tests];
  const pattern = new RegExp(filter.source, filter.flags.replaceAll(/[gy]/g, ''));
  return tests.filter((test) => pattern.test(test.name));
}

/** Runs the selected tests in config order; never throws for a test's failure. */
export async function runTemplateTests(options: TemplateTestRunOptions): Promise<TestRunSummary> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const base = new BaseManifests(options.config.source.files?.path);
  const results: TestResult[] = [];
  for (const test of selectTests(options.config, options.filter)) {
    const result = await runTest(test, base, options, now);
    results.push(result);
    options.onResult?.(result);
  }
  const passed = results.filter((r) => r.passed).length;
  return { results, passed, failed: results.length - passed, durationMs: now() - started };
}

/** One test: gather its objects, render what it checks, check each expectation. */
async function runTest(test: TemplateTestConfig, base: BaseManifests, options: TemplateTestRunOptions, now: () => number): Promise<TestResult> {
  const started = now();
  const display = displayPath(options.cwd ?? process.cwd());
  const failures: TestFailure[] = [];
  const notes: string[] = [];
  try {
    const objects = await testObjects(test, base);
    failures.push(...objects.problems.map((message) => ({ assertion: 'fixtures', message })));
    if (objects.problems.length === 0) {
      const checked = await renderAndCheck(test, objects.objects, options, display);
      failures.push(...checked.failures);
      notes.push(...checked.notes);
    }
  } catch (err) {
    failures.push({ assertion: 'error', message: err instanceof Error ? err.message : String(err) });
  }
  const result: TestResult = { name: test.name, passed: failures.length === 0, failures, notes, durationMs: now() - started };
  if (test.description !== undefined) result.description = test.description;
  if (test.position !== undefined) result.position = { ...test.position, file: display(test.position.file) };
  return result;
}

async function renderAndCheck(
  test: TemplateTestConfig,
  objects: readonly KubeObject[],
  options: TemplateTestRunOptions,
  display: (path: string) => string,
): Promise<CheckResult> {
  const templates = test.expect.map((e) => e.template);
  const logger = (options.logger ?? silentLogger()).child({ component: 'template-tests', test: test.name });
  const outcomes = await renderFromObjects(options.config, objects, templates, logger);
  const context: CheckContext = {
    updateGolden: options.updateGolden ?? false,
    display,
    templates: options.config.templates,
  };
  const failures: TestFailure[] = [];
  const notes: string[] = [];
  for (const expectation of test.expect) {
    const checked = await checkExpectation(expectation, outcomes.get(expectation.template)!, context);
    failures.push(...checked.failures);
    notes.push(...checked.notes);
  }
  return { failures, notes };
}
