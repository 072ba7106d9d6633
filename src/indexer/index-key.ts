/**
 * KeyExtractor: turns an object into its index keys, one string per index_by expression
 * in each key. A multi-valued expression (a wildcard, union, slice or `..`) gives one key
 * per value, and several of them the cross product, as client-go's index functions do.
 */
import { compilePath, type PathAccessor } from '../path/index.ts';
import type { IndexKey, IndexKeys } from './types.ts';

/** Why an object has no usable index key: the first expression that failed, and how. */
export interface KeyProblem {
  /** The index_by expression, as written (the multi-valued ones, comma-separated, for too many keys). */
  readonly expr: string;
  /** e.g. "no value", "2 values (expected one)", "an object (expected a string, number or boolean)". */
  readonly reason: string;
}

export const DEFAULTS = Object.freeze({
  /**
   * Keys one object may be filed under at most (the cross product of its multi-valued
   * expressions' distinct values). An object past it is left out and counted as missing
   * its key: the content of watched objects is not trusted, and one tenant's Ingress with
   * thousands of hosts must not make the index (and every lookup's memory) grow without
   * bound. 1,024 is far above what real objects have (an Ingress's hosts, a Pod's volumes).
   */
  maxKeysPerObject: 1024,
});

/**
 * Extracts index keys with index_by expressions compiled once (simple paths as property
 * walks, the rest through jsonpath-plus with eval off). A simple path must select exactly
 * one string, number or boolean, which becomes String(value). A multi-valued expression
 * may select any number of them (at least one): its distinct values each make a key. The
 * keys are the cross product over the expressions, in document order, without duplicates.
 * No value, null, an object or array among the values, or more than `maxKeys` keys is a
 * KeyProblem.
 */
export class KeyExtractor {
  /** The index_by expressions, as written. */
  readonly exprs: readonly string[];
  /** The expressions that may select several values (not simple paths). */
  readonly multiValued: readonly string[];
  readonly #paths: readonly PathAccessor[];
  readonly #maxKeys: number;

  /** Throws PathError when an expression does not parse. */
  constructor(exprs: readonly string[], options: { maxKeys?: number } = {}) {
    this.exprs = Object.freeze([...exprs]);
    this.#paths = exprs.map(compilePath);
    this.multiValued = Object.freeze(this.#paths.filter((path) => !path.simple).map((path) => path.expr));
    this.#maxKeys = options.maxKeys ?? DEFAULTS.maxKeysPerObject;
  }

  /** The keys of `obj` (one key unless a multi-valued expression selects several values), or the problem. */
  extract(obj: unknown): IndexKeys | KeyProblem {
    return this.multiValued.length === 0 ? this.#single(obj) : this.#multiple(obj);
  }

  /** Every expression is a simple path: exactly one value each, one key (the hot path: no helper calls). */
  #single(obj: unknown): IndexKey | KeyProblem {
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

  /** Distinct values per expression, then their cross product. */
  #multiple(obj: unknown): IndexKeys | KeyProblem {
    const components: string[][] = [];
    let count = 1;
    for (const path of this.#paths) {
      const values = read(path, obj);
      if (!Array.isArray(values)) return values;
      const distinct = path.simple ? singleValue(values) : distinctValues(values);
      if (!Array.isArray(distinct)) return { expr: path.expr, reason: distinct.reason };
      components.push(distinct);
      count *= distinct.length;
    }
    if (count > this.#maxKeys) {
      return { expr: this.multiValued.join(', '), reason: `${count} keys (at most ${this.#maxKeys} per object)` };
    }
    const keys = crossProduct(components);
    return keys.length === 1 ? keys[0]! : keys;
  }
}

/** True when extract returned a problem rather than keys. */
export function isKeyProblem(result: IndexKeys | KeyProblem): result is KeyProblem {
  return !Array.isArray(result);
}

/** The values `path` selects in `obj`, or the problem when reading throws. */
function read(path: PathAccessor, obj: unknown): unknown[] | KeyProblem {
  try {
    return path.get(obj);
  } catch (err) {
    return { expr: path.expr, reason: `an error: ${(err as Error).message}` };
  }
}

/** A simple path's one value as a component, or why it cannot be one. */
function singleValue(values: unknown[]): string[] | { reason: string } {
  const value = values.length === 1 ? values[0] : undefined;
  return isScalar(value) ? [String(value)] : { reason: unusable(values) };
}

/**
 * A multi-valued expression's values as distinct components in document order (nulls
 * are left out, as absent fields are), or why they cannot be.
 */
function distinctValues(values: unknown[]): string[] | { reason: string } {
  const distinct = new Set<string>();
  for (const value of values) {
    if (value === null) continue;
    if (!isScalar(value)) return { reason: `${describe(value)} among its values (expected strings, numbers or booleans)` };
    distinct.add(String(value));
  }
  return distinct.size > 0 ? [...distinct] : { reason: 'no value' };
}

/** Every combination of one value per component, the first component varying slowest. */
function crossProduct(components: readonly string[][]): IndexKey[] {
  let keys: string[][] = [[]];
  for (const values of components) {
    const next: string[][] = [];
    for (const key of keys) for (const value of values) next.push([...key, value]);
    keys = next;
  }
  return keys;
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function unusable(values: unknown[]): string {
  if (values.length > 1) return `${values.length} values (expected one)`;
  const value = values[0];
  if (value === undefined || value === null) return 'no value';
  return `${describe(value)} (expected a string, number or boolean)`;
}

function describe(value: unknown): string {
  return Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
