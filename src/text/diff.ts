/**
 * A unified line diff (the `diff -u` format) of two texts: a golden file and a rendered
 * output (`informant test`), an output's previous and current version (/debug/ui), so
 * a reader sees exactly which lines changed; the edit script comes from the `diff`
 * package (jsdiff: Myers' algorithm). Lines are compared with their line ending; a last
 * line without one is marked "\ No newline at end of file", as GNU diff does.
 */
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

export const DEFAULTS = Object.freeze({
  /** Unchanged lines shown around each change (lines), as `diff -u` shows. */
  context: 3,
  /**
   * Most edits the shortest-script search looks for (lines): it costs time with the square
   * of the edits, and two outputs that differ in more lines than this are not read as a
   * diff anyway. Beyond it, the first differing lines are shown instead.
   */
  maxEdits: 2000,
  /** Lines of each text shown when the texts differ in more than maxEdits lines. */
  firstDifferenceLines: 5,
});

/** How unifiedDiff labels and shapes its output. */
export interface DiffOptions {
  /** The `---` header: what `from` is (e.g. the golden file's path). */
  fromLabel: string;
  /** The `+++` header: what `to` is. */
  toLabel: string;
  /** Default DEFAULTS.context. */
  context?: number;
  /** Default DEFAULTS.maxEdits. */
  maxEdits?: number;
}

/** The unified diff turning `from` into `to`, ending in a newline; "" when they are equal. */
export function unifiedDiff(from: string, to: string, options: DiffOptions): string {
  if (from === to) return '';
  const patch = createTwoFilesPatch(options.fromLabel, options.toLabel, from, to, undefined, undefined, {
    context: options.context ?? DEFAULTS.context,
    maxEditLength: options.maxEdits ?? DEFAULTS.maxEdits,
    headerOptions: FILE_HEADERS_ONLY,
  });
  return patch ?? firstDifference(from, to, options);
}

/** The lines of `text`, each with its "\n" (the last one may have none); [] for "". */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Too many edits for a diff: the headers, then the first differing lines of each text. */
function firstDifference(from: string, to: string, options: DiffOptions): string {
  const a = splitLines(from);
  const b = splitLines(to);
  let line = 0;
  while (line < a.length && line < b.length && a[line] === b[line]) line++;
  const shown = (lines: string[], op: string): string[] =>
    lines.slice(line, line + DEFAULTS.firstDifferenceLines).map((text) => `${op}${text.replace(/\n$/, '')}`);
  const maxEdits = options.maxEdits ?? DEFAULTS.maxEdits;
  return [
    `--- ${options.fromLabel}`,
    `+++ ${options.toLabel}`,
    `(the texts differ in more than ${maxEdits} lines, too many for a diff; the first difference is at line ${line + 1})`,
    ...shown(a, '-'),
    ...shown(b, '+'),
    '',
  ].join('\n');
}
