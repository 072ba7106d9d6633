/**
 * compilePath: expression → accessor. Simple paths become a walk over a frozen step list
 * (no jsonpath-plus, no allocation beyond the result array); paths of keys, indices and
 * wildcards a walk that fans out (fan-out.ts, jsonpath-plus's semantics); everything else
 * is handed to jsonpath-plus in canonical form with `eval: false` and `wrap: true`.
 */
import { JSONPath } from 'jsonpath-plus';
import type { ParsedPath, PathAccessor, RemovalStep } from './types.ts';
import { parsePath } from './parse.ts';
import { canonicalPath } from './format.ts';
import { MISSING, childOf, compileStep, type Step } from './step.ts';
import { compileFanOut } from './fan-out.ts';

/**
 * Parses and compiles an expression once. Throws PathError when it does not parse (see
 * parsePath). The accessor's `get` never throws for any input value and never mutates it.
 */
export function compilePath(expr: string): PathAccessor {
  const parsed = parsePath(expr);
  return parsed.simple ? simpleAccessor(parsed) : jsonPathAccessor(parsed);
}

/**
 * True when `expr` may select several values (a wildcard, union, slice or `..`: anything
 * but a simple path). Throws PathError when it does not parse.
 */
export function isMultiValued(expr: string): boolean {
  return !parsePath(expr).simple;
}

/** The key/index steps of a simple path. */
export function simpleSteps(parsed: ParsedPath): readonly RemovalStep[] {
  return Object.freeze(
    parsed.segments.map((s) => {
      if (s.kind === 'key') return s.key;
      if (s.kind === 'index') return s.index;
      throw new Error(`internal: segment ${s.kind} in a simple path`);
    }),
  );
}

function simpleAccessor(parsed: ParsedPath): PathAccessor {
  const steps: readonly Step[] = simpleSteps(parsed).map(compileStep);
  return Object.freeze({
    expr: parsed.expr,
    simple: true,
    get(obj: unknown): unknown[] {
      let value = obj;
      for (let i = 0; i < steps.length; i++) {
        value = childOf(value, steps[i] as Step);
        if (value === MISSING) return [];
      }
      return [value];
    },
  });
}

function jsonPathAccessor(parsed: ParsedPath): PathAccessor {
  const path = canonicalPath(parsed);
  const fansOut = parsed.segments.every((s) => s.kind === 'key' || s.kind === 'index' || s.kind === 'wildcard');
  const walk = fansOut ? compileFanOut(path) : undefined;
  if (walk !== undefined) {
    return Object.freeze({
      expr: parsed.expr,
      simple: false,
      get: (obj: unknown, maxValues?: number): unknown[] => (obj === null || typeof obj !== 'object' ? [] : walk(obj, maxValues)),
    });
  }
  return Object.freeze({
    expr: parsed.expr,
    simple: false,
    get(obj: unknown, maxValues?: number): unknown[] {
      // jsonpath-plus returns undefined for a falsy document; nothing is selected from it.
      if (obj === null || typeof obj !== 'object') return [];
      if (maxValues !== undefined) return boundedJsonPath(path, obj, maxValues);
      const found = JSONPath({ path, json: obj, eval: false, wrap: true, resultType: 'value' });
      return Array.isArray(found) ? found : [];
    },
  });
}

/** Thrown from jsonpath-plus's callback to stop its walk once enough values were found. */
const ENOUGH = Symbol('enough values');

/** The first `maxValues` values `path` selects in `obj`; the walk stops at the last one. */
function boundedJsonPath(path: string, obj: object, maxValues: number): unknown[] {
  const values: unknown[] = [];
  if (maxValues <= 0) return values;
  try {
    JSONPath({
      path,
      json: obj,
      eval: false,
      wrap: true,
      resultType: 'value',
      callback: (value: unknown) => {
        values.push(value);
        if (values.length >= maxValues) throw ENOUGH;
      },
    });
  } catch (err) {
    if (err !== ENOUGH) throw err;
  }
  return values;
}
