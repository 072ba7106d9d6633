/**
 * Where an output comes closest to what a failing `contains` or `matches` looked for, so
 * the report shows that part of the output (a wrong port, a missing space, an indentation
 * that differs) instead of only "does not contain":
 * - a text: the run of output lines (as many as the text has) holding the part closest
 *   to it (the fewest characters to change);
 * - a regular expression: where the longest start of the pattern that is itself a valid
 *   pattern matches (`^\s+server web 10\.0\.0\.1:80$` against `server web 10.0.0.1:8080`
 *   matches up to `…:80`).
 * Both are bounded (DEFAULTS), so a large output costs a test run little.
 */
import { substringDistanceWithin } from '../text/edit-distance.ts';
import { splitLines } from '../text/diff.ts';
import type { OutputExcerpt } from './types.ts';

export const DEFAULTS = Object.freeze({
  /** Output lines looked at (from the top): beyond them the search stops. */
  maxLines: 20_000,
  /** Longest text or pattern searched for (characters); longer ones get no excerpt. */
  maxTextLength: 2_000,
  /** Lines shown before and after the closest match. */
  context: 2,
  /** Most lines of a regular expression's match shown. */
  maxMatchLines: 10,
});

/** The part of `content` closest to `text`, or undefined when nothing is close (more than half of the text differs). */
export function closestText(content: string, text: string): OutputExcerpt | undefined {
  if (text.length === 0 || text.length > DEFAULTS.maxTextLength) return undefined;
  const lines = outputLines(content);
  const wanted = text.replace(/\n$/, '');
  const height = wanted.split('\n').length;
  const allowed = Math.floor(wanted.length / 2);
  let best = { distance: Number.POSITIVE_INFINITY, index: -1 };
  for (let i = 0; i + height <= lines.length && best.distance > 0; i++) {
    const window = lines.slice(i, i + height).join('\n');
    const distance = substringDistanceWithin(wanted, window, Math.min(allowed, best.distance - 1));
    if (distance < best.distance) best = { distance, index: i };
  }
  if (best.index < 0) return undefined;
  const changes =
    best.distance === 0 ? 'the text is there, but not with the line breaks around it' : `${best.distance} character${best.distance === 1 ? ' differs' : 's differ'}`;
  return excerpt(lines, best.index, height, `closest match (${changes}):`);
}

/** Where the longest start of `source` (a valid pattern itself) matches `content`, or undefined when none does. */
export function closestPattern(content: string, source: string, flags = 'm'): OutputExcerpt | undefined {
  if (source.length > DEFAULTS.maxTextLength) return undefined;
  const searched = outputLines(content).join('\n');
  for (let end = source.length - 1; end > 0; end--) {
    const regex = compile(source.slice(0, end), flags);
    const match = regex?.exec(searched);
    if (!match || match[0].trim() === '') continue;
    const first = lineIndexAt(searched, match.index);
    const height = Math.min(DEFAULTS.maxMatchLines, match[0].replace(/\n$/, '').split('\n').length);
    return excerpt(searched.split('\n'), first, height, `the longest start of the pattern that matches, ${regex}, matches here:`);
  }
  return undefined;
}

function compile(source: string, flags: string): RegExp | undefined {
  try {
    return new RegExp(source, flags);
  } catch {
    return undefined;
  }
}

/** The lines of the output searched: without their line endings, at most DEFAULTS.maxLines. */
function outputLines(content: string): string[] {
  return splitLines(content)
    .slice(0, DEFAULTS.maxLines)
    .map((line) => line.replace(/\n$/, ''));
}

function lineIndexAt(text: string, offset: number): number {
  let line = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Lines `index` to `index + height - 1` (0-based) with DEFAULTS.context lines around them. */
function excerpt(lines: readonly string[], index: number, height: number, title: string): OutputExcerpt {
  const start = Math.max(0, index - DEFAULTS.context);
  const end = Math.min(lines.length, index + height + DEFAULTS.context);
  return { title, start: start + 1, lines: lines.slice(start, end), marked: { from: index + 1, to: index + height } };
}

/**
 * The excerpt as numbered lines, the closest ones marked with `>`:
 *       11 |   backend shop_web
 *     > 12 |     server web 10.0.0.1:8080 check
 */
export function formatOutputExcerpt(excerpt: OutputExcerpt): string[] {
  const width = String(excerpt.start + excerpt.lines.length - 1).length;
  return [
    excerpt.title,
    ...excerpt.lines.map((text, i) => {
      const number = excerpt.start + i;
      const mark = number >= excerpt.marked.from && number <= excerpt.marked.to ? '>' : ' ';
      return `${mark} ${String(number).padStart(width)} | ${visible(text)}`;
    }),
  ];
}

/** Control characters (but tab) escaped, so a stray CR or NUL in the output shows. */
function visible(text: string): string {
  return text.replace(/[\p{Cc}]/gu, (c) => (c === '\t' ? c : JSON.stringify(c).slice(1, -1)));
}
