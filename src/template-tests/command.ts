/**
 * `informant test`: runs the config's template tests and reports them in the chosen
 * format; the exit code says whether every selected test passed.
 */
import type { Config } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { displayPath } from './display.ts';
import { createReporter, type ReporterName } from './reporters/index.ts';
import type { TextSink } from './types.ts';
import { runTemplateTests, selectTests } from './runner.ts';

/** Exit codes: every test passed; a test failed or none was selected; the command line is wrong. */
export const EXIT_CODES = Object.freeze({ passed: 0, failed: 1, usage: 2 });

/** What `informant test` was asked to do, and where it writes. */
export interface TestCommandOptions {
  config: Config;
  /** A regular expression; only tests whose name it matches run. */
  filter?: string;
  /** Rewrite the golden files of the selected tests. */
  updateGolden?: boolean;
  /** Default pretty. */
  reporter?: ReporterName;
  /** The report (stdout). */
  out: TextSink;
  /** Messages about the run and, for tap and junit, the summary line (stderr). */
  err: TextSink;
  logger?: Logger;
  /** Paths are shown relative to it; default the working directory. */
  cwd?: string;
  /** Clock in ms for durations; default performance.now. */
  now?: () => number;
}

/**
 * Runs the tests and resolves with the exit code: 0 when every selected test passed; 1 when
 * one failed, or when no test was selected (a config without tests, a filter that matches
 * none: a check that checks nothing should not look green); 2 for a filter that is not a
 * regular expression.
 */
export async function runTestCommand(options: TestCommandOptions): Promise<number> {
  let filter: RegExp | undefined;
  try {
    filter = options.filter === undefined ? undefined : new RegExp(options.filter);
  } catch (err) {
    options.err.write(`--filter: ${(err as Error).message}\n`);
    return EXIT_CODES.usage;
  }
  const selected = selectTests(options.config, filter);
  const suiteName = displayPath(options.cwd ?? process.cwd())(options.config.file);
  const reporter = createReporter(options.reporter ?? 'pretty', { out: options.out, err: options.err, suiteName });
  reporter.begin(selected.length);
  const { config, updateGolden, logger, cwd, now } = options;
  const summary = await runTemplateTests({ config, filter, updateGolden, logger, cwd, now, onResult: (result) => reporter.result(result) });
  reporter.end(summary);
  if (selected.length === 0) {
    options.err.write(`${nothingSelected(options.config, options.filter)}\n`);
    return EXIT_CODES.failed;
  }
  return summary.failed > 0 ? EXIT_CODES.failed : EXIT_CODES.passed;
}

function nothingSelected(config: Config, filter: string | undefined): string {
  const tests = config.tests ?? [];
  if (tests.length === 0) return `${config.file} defines no tests: add a tests: section (or test_files:)`;
  return `no test name matches --filter ${JSON.stringify(filter)}; tests: ${tests.map((t) => t.name).join(', ')}`;
}
