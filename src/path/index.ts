/**
 * The path stage's vocabulary: JSONPath-like expressions used by `index_by` and
 * `remove_fields` (and by anything else that reads a value out of an object).
 *
 * Supported syntax: an optional leading `$`, `.key`, `['key']` / `["key"]` (with `\'`,
 * `\"` and `\\` escapes), `[0]`, wildcards `.*` / `[*]`, recursive descent `..`, unions
 * `['a','b']` / `[0,2]` and slices `[start:end:step]`. Filter `?(...)` and script `(...)`
 * expressions are refused when parsed: nothing is ever evaluated as code.
 *
 * Simple paths (keys and non-negative indices only) compile into a plain property walk;
 * everything else is evaluated by jsonpath-plus with `eval: false`.
 */

export type { PathSegment, ParsedPath, PathAccessor, RemovalStep, PathRemoval } from './types.ts';
export { PathError } from './error.ts';
export { parsePath } from './parse.ts';
export { canonicalPath } from './format.ts';
export { compilePath, isMultiValued } from './accessor.ts';
export { compileRemoval, removePath, withoutPath } from './removal.ts';
