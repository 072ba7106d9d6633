/**
 * The filters and global functions informant adds to nunjucks' built-ins (which all stay
 * available, `indent` included: see FILTERS). Every filter is a pure function that throws
 * a FilterError naming itself when its input or arguments are wrong; the renderer turns
 * that into a RenderError at the filter's position in the template. Errors name the
 * filter, the argument and its type, never the value: it may come from a Secret, and
 * error messages reach logs and /readyz.
 */
import { Buffer } from 'node:buffer';
import { LRUCache } from 'lru-cache';
import YAML from 'yaml';
import { compilePath, type PathAccessor } from '../path/index.ts';
import { FilterError, TemplateFailure } from './errors.ts';

const DEFAULTS = Object.freeze({
  /**
   * Compiled paths and regular expressions kept for reuse (entries). Templates use a
   * handful, written as literals; the bound only matters for patterns built from data.
   */
  compiledCacheSize: 256,
});

type Filter = (value: unknown, ...args: unknown[]) => unknown;

/**
 * Filters by the name templates use:
 * - `b64decode`: base64 (standard or URL-safe alphabet, padding optional, whitespace
 *   ignored) to UTF-8 text; a non-string, invalid base64 or bytes that are not UTF-8 fail.
 * - `b64encode`: a string's UTF-8 bytes to standard base64; a non-string fails.
 * - `sort_by(path)`: a new list sorted by the value at `path` (e.g. "metadata.name",
 *   "metadata.labels['app']"; see src/path), stable; see {@link compareValues}.
 * - `group_by(path)`: `[{key, items}]`, one entry per distinct value at `path` (missing =
 *   null), sorted by key (compareValues); items keep their input order.
 * - `flatten(path?)`: one list of the lists at `path` of each item (without `path`, of the
 *   items themselves), in order: `models | flatten("routes")`; an item whose value there
 *   is missing adds nothing, and one that is not a list fails.
 * - `unique(path?)`: the distinct values of a list (first occurrence kept, objects by
 *   identity), or with `path` the first object for each distinct value at `path`.
 * - `to_json(indent?)`: JSON.stringify with an optional indent (number or string);
 *   circular structures and values JSON cannot represent fail.
 * - `to_yaml`: YAML 1.2 block style, no line folding, no anchors for repeated objects, no
 *   trailing newline (as Helm's toYaml); circular structures fail.
 * - `regex_replace(pattern, replacement, flags?)`: replaces every match (the `g` flag is
 *   implied; `flags` adds others such as `i`, `m`, `s`); the replacement uses JavaScript
 *   syntax (`$1`, `$<name>`, `$&`). Numbers and booleans are converted to text first.
 *
 * nunjucks' built-in `indent(width=4, first=false)` already has the wanted semantics and
 * is kept: it indents every line but the first (also the first with `first=true`),
 * including blank lines, and returns "" for "".
 *
 * For a path, only the first value it selects counts.
 */
export const FILTERS: Readonly<Record<string, Filter>> = Object.freeze({
  b64decode,
  b64encode,
  sort_by: sortBy,
  group_by: groupBy,
  flatten,
  unique,
  to_json: toJson,
  to_yaml: toYaml,
  regex_replace: regexReplace,
});

/**
 * Global functions templates can call: `fail(message)` aborts the render; the resulting
 * RenderError carries `message` and the position of the call.
 */
export const GLOBALS: Readonly<Record<string, (...args: unknown[]) => unknown>> = Object.freeze({ fail });

function fail(message?: unknown): never {
  throw new TemplateFailure(message === undefined ? 'fail() was called' : String(message));
}

/**
 * The order sort_by and group_by use: numbers numerically; everything else by its string
 * form, compared by UTF-16 code units (locale-independent, so output is deterministic);
 * null and missing values last.
 */
export function compareValues(a: unknown, b: unknown): number {
  const aMissing = a === undefined || a === null;
  const bMissing = b === undefined || b === null;
  if (aMissing || bMissing) return aMissing === bMissing ? 0 : aMissing ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  const as = String(a);
  const bs = String(b);
  return as < bs ? -1 : as > bs ? 1 : 0;
}

// ---- base64 -------------------------------------------------------------------------

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function b64decode(value: unknown): string {
  const text = expectString('b64decode', value).replace(/\s+/g, '');
  const unpadded = text.replace(/=+$/, '');
  const badPadding = text.length !== unpadded.length && text.length % 4 !== 0;
  if (!BASE64.test(text) || unpadded.length % 4 === 1 || badPadding) {
    throw new FilterError('b64decode', `not valid base64 (${describeText(text)})`);
  }
  try {
    return UTF8.decode(Buffer.from(text, 'base64'));
  } catch (err) {
    throw new FilterError('b64decode', 'the decoded bytes are not UTF-8 text', { cause: err });
  }
}

function b64encode(value: unknown): string {
  return Buffer.from(expectString('b64encode', value), 'utf8').toString('base64');
}

// ---- lists --------------------------------------------------------------------------

function sortBy(items: unknown, path: unknown): unknown[] {
  const list = expectList('sort_by', items);
  const at = accessor('sort_by', path);
  const keyed = list.map((item) => ({ item, key: firstValue(at, item) }));
  keyed.sort((a, b) => compareValues(a.key, b.key));
  return keyed.map((entry) => entry.item);
}

function groupBy(items: unknown, path: unknown): Array<{ key: unknown; items: unknown[] }> {
  const list = expectList('group_by', items);
  const at = accessor('group_by', path);
  const groups = new Map<unknown, unknown[]>();
  for (const item of list) {
    const key = firstValue(at, item) ?? null;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return [...groups]
    .map(([key, members]) => ({ key, items: members }))
    .sort((a, b) => compareValues(a.key, b.key));
}

function flatten(items: unknown, path?: unknown): unknown[] {
  const list = expectList('flatten', items);
  const at = path === undefined ? undefined : accessor('flatten', path);
  const out: unknown[] = [];
  for (const item of list) {
    const inner = at === undefined ? item : firstValue(at, item);
    if (inner === undefined || inner === null) continue;
    for (const value of expectList('flatten', inner)) out.push(value);
  }
  return out;
}

function unique(items: unknown, path?: unknown): unknown[] {
  const list = expectList('unique', items);
  if (path === undefined) return [...new Set(list)];
  const at = accessor('unique', path);
  const seen = new Set<unknown>();
  return list.filter((item) => {
    const key = firstValue(at, item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---- serialization ------------------------------------------------------------------

function toJson(value: unknown, indent?: unknown): string {
  if (indent !== undefined && typeof indent !== 'number' && typeof indent !== 'string') {
    throw new FilterError('to_json', `indent must be a number or a string, got ${typeName(indent)}`);
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value, null, indent);
  } catch (err) {
    throw new FilterError('to_json', (err as Error).message, { cause: err });
  }
  if (text === undefined) throw new FilterError('to_json', `${typeName(value)} has no JSON form`);
  return text;
}

function toYaml(value: unknown): string {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
    throw new FilterError('to_yaml', `${typeName(value)} has no YAML form`);
  }
  assertAcyclic('to_yaml', value, new Set());
  const text = YAML.stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

/** Throws when `value` contains itself (yaml would recurse until the stack overflows). */
function assertAcyclic(filter: string, value: unknown, ancestors: Set<object>): void {
  if (value === null || typeof value !== 'object') return;
  if (ancestors.has(value)) throw new FilterError(filter, 'circular structure');
  ancestors.add(value);
  for (const child of Object.values(value)) assertAcyclic(filter, child, ancestors);
  ancestors.delete(value);
}

// ---- text ---------------------------------------------------------------------------

const regexCache = new LRUCache<string, RegExp>({ max: DEFAULTS.compiledCacheSize });

function regexReplace(value: unknown, pattern: unknown, replacement: unknown, flags: unknown = ''): string {
  const text = typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
  const input = expectString('regex_replace', text);
  if (typeof pattern !== 'string' || typeof replacement !== 'string' || typeof flags !== 'string') {
    throw new FilterError('regex_replace', 'pattern, replacement and flags must be strings');
  }
  const allFlags = flags.includes('g') ? flags : `g${flags}`;
  const cacheKey = `${allFlags}/${pattern}`;
  let regex = regexCache.get(cacheKey);
  if (regex === undefined) {
    try {
      regex = new RegExp(pattern, allFlags);
    } catch (err) {
      throw new FilterError('regex_replace', `the pattern is not a valid regular expression: ${regexProblem(err as Error)}`);
    }
    regexCache.set(cacheKey, regex);
  }
  return input.replace(regex, replacement);
}

// ---- argument checks ----------------------------------------------------------------

const pathCache = new LRUCache<string, PathAccessor>({ max: DEFAULTS.compiledCacheSize });

function accessor(filter: string, path: unknown): PathAccessor {
  if (typeof path !== 'string') throw new FilterError(filter, `path must be a string, got ${typeName(path)}`);
  let compiled = pathCache.get(path);
  if (compiled === undefined) {
    try {
      compiled = compilePath(path);
    } catch (err) {
      throw new FilterError(filter, (err as Error).message, { cause: err });
    }
    pathCache.set(path, compiled);
  }
  return compiled;
}

function firstValue(at: PathAccessor, item: unknown): unknown {
  return at.get(item)[0];
}

function expectString(filter: string, value: unknown): string {
  if (typeof value !== 'string') throw new FilterError(filter, `expected a string, got ${typeName(value)}`);
  return value;
}

function expectList(filter: string, value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) throw new FilterError(filter, `expected a list, got ${typeName(value)}`);
  return value;
}

/** The type of a value for messages, never the value itself. */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'undefined') return 'undefined';
  return typeof value === 'string' ? describeText(value) : `a ${typeof value}`;
}

function describeText(text: string): string {
  return text.length === 0 ? 'an empty string' : `a string of ${text.length} character${text.length === 1 ? '' : 's'}`;
}

/** What is wrong with a pattern, without the pattern (V8 quotes it: "Invalid regular expression: /(/: Unterminated group"). */
function regexProblem(err: Error): string {
  const match = /^Invalid regular expression: \/.*\/[a-z]*: (.*)$/s.exec(err.message);
  return match?.[1] ?? err.message;
}
