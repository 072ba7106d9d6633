/**
 * Characters that end or bend a line in a line-oriented config file, and how to name them
 * without printing them: what the line check (escape: line), the validating filters and the
 * reasons of left-out objects share.
 *
 * "Unsafe" here means every C0 control character (U+0000 to U+001F: line feed, carriage
 * return, tab, NUL, ...), DEL and the C1 controls (U+007F to U+009F, NEL U+0085 among them),
 * and the Unicode line and paragraph separators U+2028 and U+2029. HAProxy, nginx and most
 * config parsers end a line at LF, several at CR too, some refuse NUL outright, and editors
 * and log viewers break lines at NEL, U+2028 and U+2029.
 */

/** Matches one unsafe character (see the module comment). */
export const UNSAFE_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

const UNSAFE_GLOBAL = new RegExp(UNSAFE_CHARACTER.source, 'g');

const NAMES: Readonly<Record<number, string>> = Object.freeze({
  0x00: 'a NUL character',
  0x09: 'a tab',
  0x0a: 'a line break',
  0x0b: 'a vertical tab',
  0x0c: 'a form feed',
  0x0d: 'a carriage return',
  0x85: 'a next-line character',
  0x2028: 'a line separator',
  0x2029: 'a paragraph separator',
});

/** U+XXXX for a code point (at least four hex digits). */
export function codePoint(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * A character named for a message without printing anything that could be taken for
 * markup: 'a line break (U+000A)', 'a space (U+0020)', '"}" (U+007D)' (printable ASCII is
 * shown quoted), 'U+202E' for anything else.
 */
export function describeCharacter(code: number): string {
  const named = NAMES[code];
  if (named !== undefined) return `${named} (${codePoint(code)})`;
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `a control character (${codePoint(code)})`;
  if (code === 0x20) return `a space (${codePoint(code)})`;
  if (code < 0x7f) return `"${String.fromCharCode(code)}" (${codePoint(code)})`;
  return codePoint(code);
}

/** The first unsafe character of `text`: its 0-based index and code; undefined when there is none. */
export function firstUnsafe(text: string): { index: number; code: number } | undefined {
  const match = UNSAFE_CHARACTER.exec(text);
  return match === null ? undefined : { index: match.index, code: text.charCodeAt(match.index) };
}

/**
 * `text` made fit for one line of a message, a log or a comment: every unsafe character
 * replaced by its `\uXXXX` escape, cut to `max` characters (with "…").
 */
export function oneLine(text: string, max: number): string {
  const escaped = text.replace(UNSAFE_GLOBAL, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > max ? `${escaped.slice(0, max - 1)}…` : escaped;
}
