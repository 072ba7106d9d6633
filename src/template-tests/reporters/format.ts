/**
 * Text every reporter shares: the summary line and a failure as lines of text.
 */
import { formatOutputExcerpt } from '../closest-match.ts';
import { formatExcerpt } from '../source-excerpt.ts';
import type { TestFailure, TestRunSummary } from '../types.ts';

/** `N passed, N failed`: the last line of every run. */
export function summaryLine(summary: Pick<TestRunSummary, 'passed' | 'failed'>): string {
  return `${summary.passed} passed, ${summary.failed} failed`;
}

/** `template › check: message` (no template for problems of the whole test). */
export function failureHeadline(failure: TestFailure): string {
  const what = failure.template === undefined ? failure.assertion : `${failure.template} › ${failure.assertion}`;
  return `${what}: ${failure.message}`;
}

/**
 * The headline, then the template line of a render error, the closest part of the output
 * (contains, matches), or the diff of a golden file.
 */
export function failureLines(failure: TestFailure): string[] {
  const lines = [failureHeadline(failure)];
  if (failure.source !== undefined) lines.push(...formatExcerpt(failure.source).map((line) => `  ${line}`));
  if (failure.closest !== undefined) lines.push(...formatOutputExcerpt(failure.closest).map((line) => `  ${line}`));
  if (failure.diff !== undefined) lines.push(...failure.diff.replace(/\n$/, '').split('\n').map((line) => `  ${line}`));
  return lines;
}
