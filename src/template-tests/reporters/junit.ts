/**
 * JUnit XML, as CI systems (GitLab, Jenkins, GitHub test reporters) read it: one
 * <testsuite> for the config, one <testcase> per test, a <failure> holding every failed
 * check of a failing test, notes in <system-out>. Written in one piece at the end, since
 * the counts come first.
 */
import type { Reporter, ReportStreams, TestResult, TestRunSummary } from '../types.ts';
import { failureHeadline, failureLines } from './format.ts';

/** Characters XML 1.0 does not allow anywhere (controls other than tab, LF and CR; lone surrogates; U+FFFE/U+FFFF). */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text content: markup characters escaped, characters XML cannot hold replaced by U+FFFD. */
export function escapeText(text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** An attribute value in double quotes: also quotes escaped, and tab and line breaks kept as character references. */
export function escapeAttribute(text: string): string {
  return escapeText(text)
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;')
    .replaceAll('\t', '&#9;')
    .replaceAll('\n', '&#10;')
    .replaceAll('\r', '&#13;');
}

/** Writes JUnit XML to `streams.out` once the run has ended. */
export function junitReporter(streams: ReportStreams, suiteName: string): Reporter {
  return {
    begin() {},
    result() {},
    end(summary: TestRunSummary) {
      const counts = `tests="${summary.results.length}" failures="${summary.failed}" errors="0"`;
      const lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        `<testsuites name="informant test" ${counts} time="${seconds(summary.durationMs)}">`,
        `  <testsuite name="${escapeAttribute(suiteName)}" ${counts} skipped="0" time="${seconds(summary.durationMs)}">`,
        ...summary.results.flatMap((result) => testCase(result, suiteName)),
        '  </testsuite>',
        '</testsuites>',
      ];
      streams.out.write(`${lines.join('\n')}\n`);
    },
  };
}

function testCase(result: TestResult, suiteName: string): string[] {
  const attributes = [`name="${escapeAttribute(result.name)}"`, `classname="${escapeAttribute(suiteName)}"`, `time="${seconds(result.durationMs)}"`];
  if (result.position !== undefined) attributes.push(`file="${escapeAttribute(result.position.file)}"`, `line="${result.position.line}"`);
  const body: string[] = [];
  const first = result.failures[0];
  if (first !== undefined) {
    const text = result.failures.flatMap(failureLines).join('\n');
    const attributes = `message="${escapeAttribute(failureHeadline(first))}" type="${escapeAttribute(first.assertion)}"`;
    body.push(`      <failure ${attributes}>${escapeText(text)}</failure>`);
  }
  if (result.notes.length > 0) body.push(`      <system-out>${escapeText(result.notes.join('\n'))}</system-out>`);
  if (body.length === 0) return [`    <testcase ${attributes.join(' ')}/>`];
  return [`    <testcase ${attributes.join(' ')}>`, ...body, '    </testcase>'];
}

/** Milliseconds as JUnit's seconds, three decimals. */
function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
