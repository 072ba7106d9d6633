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

/** One step of a parsed path; `offset` is where it starts in the expression. */
export type PathSegment =
  | { readonly kind: 'key'; readonly key: string; readonly offset: number }
  | { readonly kind: 'index'; readonly index: number; readonly offset: number }
  | { readonly kind: 'wildcard'; readonly offset: number }
  | { readonly kind: 'descendant'; readonly offset: number }
  | {
      readonly kind: 'union';
      /** All strings (keys) or all numbers (indices), never mixed. */
      readonly members: readonly string[] | readonly number[];
      readonly offset: number;
    }
  | {
      readonly kind: 'slice';
      readonly start?: number;
      readonly end?: number;
      readonly step?: number;
      readonly offset: number;
    };

/** A syntactically valid path expression. */
export interface ParsedPath {
  /** The expression as written. */
  readonly expr: string;
  /** The steps after the optional `$`, in order; never empty. */
  readonly segments: readonly PathSegment[];
  /** True when every segment is a key or an index: one value at most, no jsonpath-plus. */
  readonly simple: boolean;
}

/** A compiled path: reads every value the expression selects from an object. */
export interface PathAccessor {
  /** The expression as written. */
  readonly expr: string;
  /** True when compiled into a plain property walk (at most one value). */
  readonly simple: boolean;
  /**
   * The values selected in `obj`, in document order; an empty array when nothing matches
   * (a field that is present with the value null gives `[null]`). Only own properties and
   * existing array elements match, so `constructor` or `length` never do in a simple path.
   * The values are the object's own (not copies): treat them as read-only.
   */
  get(obj: unknown): unknown[];
}

/** One step of a removal: an own key of an object, or an index of an array. */
export type RemovalStep = string | number;

/** A compiled remove_fields entry: the key/index steps leading to the field to remove. */
export interface PathRemoval {
  /** The expression as written. */
  readonly expr: string;
  /** The steps from the object's root to the field; the last one is removed. Never empty. */
  readonly segments: readonly RemovalStep[];
}

export { PathError } from './error.ts';
export { parsePath } from './parse.ts';
export { canonicalPath } from './format.ts';
export { compilePath } from './accessor.ts';
export { compileRemoval, removePath, withoutPath } from './removal.ts';
