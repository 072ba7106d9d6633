/**
 * KeyExtractor: turns an object into its index key, one string per index_by expression.
 */
import { compilePath, type PathAccessor } from '../path/index.ts';
import type { IndexKey } from './types.ts';

/** Why an object has no usable index key: the first expression that failed, and how. */
export interface KeyProblem {
  /** The index_by expression, as written. */
  readonly expr: string;
  /** e.g. "no value", "3 values (expected one)", "an object (expected a string, number or boolean)". */
  readonly reason: string;
}

/**
 * Extracts index keys with index_by expressions compiled once (simple paths as property
 * walks, the rest through jsonpath-plus with eval off). Each expression must select
 * exactly one string, number or boolean, which becomes String(value); anything else (no
 * value, null, several values, an object or array) is a KeyProblem.
 */
export class KeyExtractor {
  /** The index_by expressions, as written. */
  readonly exprs: readonly string[];
  readonly #paths: readonly PathAccessor[];

  /** Throws PathError when an expression does not parse. */
  constructor(exprs: readonly string[]) {
    this.exprs = Object.freeze([...exprs]);
    this.#paths = exprs.map(compilePath);
  }

  /** The key of `obj`, or the problem with the first expression that yields no usable value. */
  extract(obj: unknown): IndexKey | KeyProblem {
    const key: string[] = [];
    for (let i = 0; i < this.#paths.length; i++) {
      const path = this.#paths[i]!;
      let values: unknown[];
      try {
        values = path.get(obj);
      } catch (err) {
        return { expr: path.expr, reason: `an error: ${(err as Error).message}` };
      }
      const value = values.length === 1 ? values[0] : undefined;
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        key.push(String(value));
        continue;
      }
      return { expr: path.expr, reason: unusable(values) };
    }
    return key;
  }
}

/** True when extract returned a problem rather than a key. */
export function isKeyProblem(result: IndexKey | KeyProblem): result is KeyProblem {
  return !Array.isArray(result);
}

function unusable(values: unknown[]): string {
  if (values.length > 1) return `${values.length} values (expected one)`;
  const value = values[0];
  if (value === undefined || value === null) return 'no value';
  const what = Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  return `${what} (expected a string, number or boolean)`;
}
