/**
 * Template tests (`informant test`): each test of the config's `tests` section renders the
 * templates it checks from its own fixtures, in isolation (fresh stores, no cluster, no
 * command run, nothing written to the configured outputs), and checks the outputs.
 *
 * The story: select the tests (--filter) → per test, gather its objects (the base
 * manifests of source.files for `layer`, minus `remove`, then fixture files, then inline
 * fixtures) → deliver them through a FixtureSource into a fresh pipeline → render the
 * templates the test names → check each expectation → report.
 */
export type { Reporter, ReportStreams, SourceExcerpt, TestFailure, TestResult, TestRunSummary, TextSink } from './types.ts';
export { runTemplateTests, selectTests, type TemplateTestRunOptions } from './runner.ts';
export { createReporter, REPORTERS, type ReporterName, type ReporterOptions } from './reporters/index.ts';
export { runTestCommand, type TestCommandOptions } from './command.ts';
export { unifiedDiff } from '../text/diff.ts';
export { FixtureSource } from './fixture-source.ts';
