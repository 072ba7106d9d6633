/**
 * TAP version 14 (readable by TAP 13 consumers): the plan first, one test point per test,
 * a YAML diagnostic block under each failing test, notes and the summary as comments.
 */
import { stringify } from 'yaml';
import { formatOutputExcerpt } from '../closest-match.ts';
import { formatExcerpt } from '../source-excerpt.ts';
import type { Reporter, ReportStreams, TestFailure, TestResult, TestRunSummary } from '../types.ts';
import { summaryLine } from './format.ts';

/** Writes TAP to `streams.out`. */
export function tapReporter(streams: ReportStreams): Reporter {
  const write = (lines: string[]) => streams.out.write(lines.map((line) => `${line}\n`).join(''));
  let number = 0;
  return {
    begin(count: number) {
      write(['TAP version 14', `1..${count}`]);
    },
    result(result: TestResult) {
      number++;
      const lines = [`${result.passed ? 'ok' : 'not ok'} ${number} - ${escapeDescription(result.name)}`];
      if (!result.passed) lines.push(...diagnostics(result));
      for (const note of result.notes) lines.push(comment(note));
      write(lines);
    },
    end(summary: TestRunSummary) {
      write([comment(summaryLine(summary))]);
    },
  };
}

/** A test point description: `\` and `#` escaped (TAP 14), line breaks flattened. */
export function escapeDescription(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('#', '\\#').replaceAll(/[\r\n]+/g, ' ');
}

function comment(text: string): string {
  return `# ${text.replaceAll(/[\r\n]+/g, ' ')}`;
}

/** The YAML block of a failing test, indented two spaces between `---` and `...`. */
function diagnostics(result: TestResult): string[] {
  const block: Record<string, unknown> = {};
  if (result.description !== undefined) block.description = result.description;
  if (result.position !== undefined) block.at = `${result.position.file}:${result.position.line}:${result.position.col}`;
  block.duration_ms = Math.round(result.durationMs);
  block.failures = result.failures.map(failureData);
  const yaml = stringify(block, { lineWidth: 0 }).replace(/\n$/, '');
  return ['  ---', ...yaml.split('\n').map((line) => `  ${line}`), '  ...'];
}

function failureData(failure: TestFailure): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  if (failure.template !== undefined) data.template = failure.template;
  data.assertion = failure.assertion;
  data.message = failure.message;
  if (failure.source !== undefined) data.source = `${formatExcerpt(failure.source).join('\n')}\n`;
  if (failure.closest !== undefined) data.closest = `${formatOutputExcerpt(failure.closest).join('\n')}\n`;
  if (failure.diff !== undefined) data.diff = failure.diff;
  return data;
}
