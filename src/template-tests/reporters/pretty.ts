/**
 * The default report, for people: one line per test (PASS or FAIL), under a failing test
 * what failed (with the diff or the template line), and the summary line last.
 */
import type { Reporter, ReportStreams, TestResult, TestRunSummary } from '../types.ts';
import { failureLines, summaryLine } from './format.ts';

/** Indentation of the details under a test's line. */
const DETAIL = '      ';

/** Writes the human-readable report to `streams.out`. */
export function prettyReporter(streams: ReportStreams): Reporter {
  const write = (lines: string[]) => streams.out.write(lines.map((line) => `${line}\n`).join(''));
  return {
    begin() {},
    result(result: TestResult) {
      const lines = [`${result.passed ? 'PASS' : 'FAIL'}  ${result.name} (${Math.round(result.durationMs)} ms)`];
      if (!result.passed && result.position !== undefined) {
        const { file, line, col } = result.position;
        lines.push(`${DETAIL}defined at ${file}:${line}:${col}`);
      }
      for (const failure of result.failures) lines.push(...failureLines(failure).map((line) => `${DETAIL}${line}`));
      for (const note of result.notes) lines.push(`${DETAIL}${note}`);
      write(lines);
    },
    end(summary: TestRunSummary) {
      write([summaryLine(summary)]);
    },
  };
}
