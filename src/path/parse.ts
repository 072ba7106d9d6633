/**
 * parsePath: turns an expression into segments, or throws a PathError naming the
 * offending character. Filter and script expressions are refused here, so nothing that
 * parses can ever ask for code evaluation.
 */
import type { ParsedPath, PathSegment } from './types.ts';
import { PathError } from './error.ts';

const NO_SCRIPT = 'filter and script expressions are not allowed: no script evaluation';
const EXTENSION = 'jsonpath-plus extensions (@, ^, ~ and `) are not supported';

/** Characters of a key written after a dot; anything else needs `['...']`. */
const DOT_KEY_CHAR = /[\p{L}\p{N}_-]/u;
const DIGIT = /[0-9]/;

/**
 * Keys jsonpath-plus reads literally inside a non-simple path. Its own string parser
 * gives `]`, `;`, `^`, `@(...)`, `#n`, `*` and similar characters a meaning even inside
 * quotes, so other keys are refused there instead of silently matching something else.
 */
const FALLBACK_SAFE_KEY = /^[\p{L}\p{N}_/-][\p{L}\p{N}_./-]*$/u;

/** A read position inside the expression being parsed. */
interface Cursor {
  readonly expr: string;
  pos: number;
}

/**
 * Parses a path expression. Throws PathError (with the offset of the problem) for syntax
 * errors, filter `?(...)` and script `(...)` expressions, and keys that jsonpath-plus
 * cannot read literally in a non-simple path.
 */
export function parsePath(expr: string): ParsedPath {
  const cur: Cursor = { expr, pos: 0 };
  if (expr.length === 0) throw new PathError(expr, 0, 'empty path');
  const segments = parseSegments(cur);
  const simple = segments.every((s) => s.kind === 'key' || s.kind === 'index');
  if (!simple) checkFallbackKeys(expr, segments);
  return Object.freeze({ expr, segments: Object.freeze(segments), simple });
}

function parseSegments(cur: Cursor): PathSegment[] {
  const segments: PathSegment[] = [];
  if (peek(cur) === '$') {
    cur.pos++;
    if (atEnd(cur)) fail(cur, 'the path selects the whole object; name a field, e.g. $.metadata.name');
    if (peek(cur) !== '.' && peek(cur) !== '[') fail(cur, `expected '.' or '[' after '$', found ${describe(cur)}`);
  } else if (peek(cur) === '.' && cur.expr[cur.pos + 1] !== '.') {
    fail(cur, "a path starts with a key, '$', '[' or '..', not '.'");
  } else if (peek(cur) !== '[' && peek(cur) !== '.') {
    segments.push(parseDotMember(cur));
  }
  while (!atEnd(cur)) segments.push(...parseStep(cur));
  return segments;
}

/** One step after the start: `.key`, `.*`, `..x` or `[...]`. */
function parseStep(cur: Cursor): PathSegment[] {
  const c = peek(cur);
  if (c === '[') return [parseBracket(cur)];
  if (c !== '.') fail(cur, `expected '.' or '[', found ${describe(cur)}; quote keys with other characters: ['...']`);
  if (cur.expr[cur.pos + 1] === '.') {
    const descendant: PathSegment = { kind: 'descendant', offset: cur.pos };
    cur.pos += 2;
    if (atEnd(cur) || peek(cur) === '.') fail(cur, "expected a key, '*' or '[' after '..'");
    return [descendant, peek(cur) === '[' ? parseBracket(cur) : parseDotMember(cur)];
  }
  cur.pos++;
  if (atEnd(cur)) fail(cur, "expected a key or '*' after '.'");
  return [parseDotMember(cur)];
}

/** A key or `*` written without brackets. */
function parseDotMember(cur: Cursor): PathSegment {
  const start = cur.pos;
  const c = peek(cur);
  if (c === '*') {
    cur.pos++;
    return { kind: 'wildcard', offset: start };
  }
  rejectSpecial(cur);
  while (!atEnd(cur) && DOT_KEY_CHAR.test(peek(cur))) cur.pos++;
  if (cur.pos === start) fail(cur, `unexpected ${describe(cur)}; quote keys with other characters: ['...']`);
  return { kind: 'key', key: cur.expr.slice(start, cur.pos), offset: start };
}

/** `[...]`: a quoted key, an index, `*`, a union or a slice. */
function parseBracket(cur: Cursor): PathSegment {
  const start = cur.pos;
  cur.pos++;
  skipSpaces(cur);
  if (atEnd(cur)) fail(cur, "unterminated '['");
  rejectSpecial(cur);
  let segment: PathSegment;
  if (peek(cur) === '*') {
    cur.pos++;
    segment = { kind: 'wildcard', offset: start };
  } else if (peek(cur) === "'" || peek(cur) === '"') {
    segment = parseKeys(cur, start);
  } else if (peek(cur) === '-' || peek(cur) === ':' || DIGIT.test(peek(cur))) {
    segment = parseNumbers(cur, start);
  } else {
    fail(cur, `expected a quoted key, a number, '*' or a slice after '[', found ${describe(cur)}`);
  }
  skipSpaces(cur);
  if (peek(cur) !== ']') fail(cur, atEnd(cur) ? "missing ']'" : `expected ']', found ${describe(cur)}`);
  cur.pos++;
  return segment;
}

/** `'a'` or `'a', "b", ...` inside brackets. */
function parseKeys(cur: Cursor, start: number): PathSegment {
  const keys = [parseQuoted(cur)];
  skipSpaces(cur);
  while (peek(cur) === ',') {
    cur.pos++;
    skipSpaces(cur);
    if (peek(cur) !== "'" && peek(cur) !== '"') fail(cur, 'a union mixes quoted keys with something else; use only keys or only indices');
    keys.push(parseQuoted(cur));
    skipSpaces(cur);
  }
  if (keys.length === 1) return { kind: 'key', key: keys[0] as string, offset: start };
  return { kind: 'union', members: keys, offset: start };
}

/** A single- or double-quoted key with `\'`, `\"` and `\\` escapes. */
function parseQuoted(cur: Cursor): string {
  const open = cur.pos;
  const quote = peek(cur);
  cur.pos++;
  let key = '';
  while (!atEnd(cur) && peek(cur) !== quote) {
    if (peek(cur) === '\\') {
      const escaped = cur.expr[cur.pos + 1];
      if (escaped !== "'" && escaped !== '"' && escaped !== '\\') {
        fail(cur, `unknown escape ${JSON.stringify('\\' + (escaped ?? ''))} in a quoted key; only \\', \\" and \\\\ are allowed`);
      }
      key += escaped;
      cur.pos += 2;
    } else {
      key += peek(cur);
      cur.pos++;
    }
  }
  if (atEnd(cur)) throw new PathError(cur.expr, open, 'unterminated quoted key');
  cur.pos++;
  return key;
}

/** `[n]`, `[n, m, ...]` or `[start:end:step]` (brackets already consumed by the caller). */
function parseNumbers(cur: Cursor, start: number): PathSegment {
  const firstAt = cur.pos;
  const first = parseInteger(cur);
  skipSpaces(cur);
  if (peek(cur) === ':') return parseSlice(cur, start, first);
  if (first === undefined) fail(cur, `expected a number, found ${describe(cur)}`);
  checkIndex(cur, firstAt, first);
  const indices = [first];
  while (peek(cur) === ',') {
    cur.pos++;
    skipSpaces(cur);
    if (peek(cur) === "'" || peek(cur) === '"') fail(cur, 'a union mixes indices with quoted keys; use only keys or only indices');
    const at = cur.pos;
    const n = parseInteger(cur);
    if (n === undefined) fail(cur, `expected a number, found ${describe(cur)}`);
    indices.push(n);
    checkIndex(cur, at, n);
    skipSpaces(cur);
  }
  if (indices.length === 1) return { kind: 'index', index: first, offset: start };
  return { kind: 'union', members: indices, offset: start };
}

function parseSlice(cur: Cursor, start: number, first: number | undefined): PathSegment {
  cur.pos++;
  skipSpaces(cur);
  const end = parseInteger(cur);
  skipSpaces(cur);
  let step: number | undefined;
  if (peek(cur) === ':') {
    cur.pos++;
    skipSpaces(cur);
    const at = cur.pos;
    step = parseInteger(cur);
    if (step === 0) throw new PathError(cur.expr, at, 'a slice step of 0 selects nothing');
  }
  return { kind: 'slice', start: first, end, step, offset: start };
}

/** An optionally negative decimal integer, or undefined when none is there. */
function parseInteger(cur: Cursor): number | undefined {
  const start = cur.pos;
  if (peek(cur) === '-') cur.pos++;
  const digits = cur.pos;
  while (!atEnd(cur) && DIGIT.test(peek(cur))) cur.pos++;
  if (cur.pos === digits) {
    if (cur.pos > start) fail(cur, `expected a digit after '-', found ${describe(cur)}`);
    return undefined;
  }
  const n = Number(cur.expr.slice(start, cur.pos));
  if (!Number.isSafeInteger(n)) throw new PathError(cur.expr, start, 'number too large');
  return n;
}

function checkIndex(cur: Cursor, at: number, n: number): void {
  if (n < 0) throw new PathError(cur.expr, at, `negative index ${n}; use a slice such as [${n}:] to count from the end`);
}

/** Refuses filter/script expressions and jsonpath-plus extensions where a key is expected. */
function rejectSpecial(cur: Cursor): void {
  const c = peek(cur);
  if (c === '?' || c === '(') fail(cur, NO_SCRIPT);
  if (c === '@' || c === '^' || c === '~' || c === '`') fail(cur, EXTENSION);
}

function checkFallbackKeys(expr: string, segments: readonly PathSegment[]): void {
  for (const s of segments) {
    const keys = s.kind === 'key' ? [s.key] : s.kind === 'union' ? s.members : [];
    for (const key of keys) {
      if (typeof key === 'string' && !FALLBACK_SAFE_KEY.test(key)) {
        throw new PathError(
          expr,
          s.offset,
          `key ${JSON.stringify(key)} cannot be combined with wildcards, unions, slices or '..'; ` +
            "there keys may only use letters, digits, '_', '-', '.' and '/'",
        );
      }
    }
  }
}

function peek(cur: Cursor): string {
  return cur.expr[cur.pos] ?? '';
}

function atEnd(cur: Cursor): boolean {
  return cur.pos >= cur.expr.length;
}

function skipSpaces(cur: Cursor): void {
  while (peek(cur) === ' ') cur.pos++;
}

function describe(cur: Cursor): string {
  return atEnd(cur) ? 'the end of the path' : JSON.stringify(peek(cur));
}

function fail(cur: Cursor, reason: string): never {
  throw new PathError(cur.expr, cur.pos, reason);
}
