/**
 * The path stage's contract types: a parsed expression, a compiled accessor and a
 * compiled removal (see index.ts for the syntax).
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
   * The values are the object's own (not copies): treat them as read-only. With
   * `maxValues`, at most that many are selected and the walk stops there (a bound on the
   * work of `..` and wildcards over a large object).
   */
  get(obj: unknown, maxValues?: number): unknown[];
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
