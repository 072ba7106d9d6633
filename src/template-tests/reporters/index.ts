/**
 * The report formats of `informant test --reporter`: pretty (people), tap (TAP 14) and
 * junit (JUnit XML for CI). tap and junit keep their output a valid document, so the
 * summary line goes to `err` for them; pretty ends its own output with it.
 */
import type { Reporter, ReportStreams, TestRunSummary, TextSink } from '../types.ts';
import { summaryLine } from './format.ts';
import { junitReporter } from './junit.ts';
import { prettyReporter } from './pretty.ts';
import { tapReporter } from './tap.ts';

/** The formats, the default first. */
export const REPORTERS = Object.freeze(['pretty', 'tap', 'junit'] as const);

/** A report format: pretty, tap or junit. */
export type ReporterName = (typeof REPORTERS)[number];

/** Where a reporter writes, and what the run is called. */
export interface ReporterOptions extends ReportStreams {
  /** What the tests belong to (the config file): the JUnit suite's name. */
  suiteName: string;
}

/** The reporter of a format. */
export function createReporter(name: ReporterName, options: ReporterOptions): Reporter {
  if (name === 'pretty') return prettyReporter(options);
  const reporter = name === 'tap' ? tapReporter(options) : junitReporter(options, options.suiteName);
  return withSummaryOn(options.err, reporter);
}

/** `reporter`, followed by the summary line on `err` at the end. */
function withSummaryOn(err: TextSink, reporter: Reporter): Reporter {
  return {
    begin: (count) => reporter.begin(count),
    result: (result) => reporter.result(result),
    end: (summary: TestRunSummary) => {
      reporter.end(summary);
      err.write(`${summaryLine(summary)}\n`);
    },
  };
}
