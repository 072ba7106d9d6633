/**
 * The key of a memo block's result: its keys' values, hashed structurally into a string.
 * Frozen objects whose own object-valued members are frozen too (store objects, and the
 * values memo blocks export, which are frozen deeply) are named by identity: they cannot
 * change, so the same object means the same value, and hashing one costs nothing.
 */
import { isSafeString } from '../nunjucks/index.ts';
import { isPlaceholder } from '../placeholder.ts';

const DEFAULTS = Object.freeze({
  /** Nesting levels hashed, at most; deeper keys are not cached. */
  maxDepth: 32,
  /** Values hashed per key, at most; bigger keys are not cached. */
  maxNodes: 100_000,
});

const ids = new WeakMap<object, number>();
let nextId = 0;

/** The identity number of `obj` (stable for its life; never reused). */
function idOf(obj: object): number {
  let id = ids.get(obj);
  if (id === undefined) ids.set(obj, (id = ++nextId));
  return id;
}

/** Thrown inside the walk: the value cannot key a cached result. */
class Uncacheable extends Error {}

/** The key of `values`, or undefined when one of them cannot be hashed (a function, a Map, an object not loaded yet, ...). */
export function keyOf(values: readonly unknown[]): string | undefined {
  // The common key, one object from a store or from another block's result: its identity.
  if (values.length === 1 && typeof values[0] === 'object' && values[0] !== null && immutable.has(values[0])) return `#${idOf(values[0])};`;
  const budget = { nodes: DEFAULTS.maxNodes };
  try {
    let key = '';
    for (const value of values) key += hash(value, 0, budget) + ';';
    return key;
  } catch (err) {
    if (err instanceof Uncacheable) return undefined;
    throw err;
  }
}

function hash(value: unknown, depth: number, budget: { nodes: number }): string {
  if (--budget.nodes < 0 || depth > DEFAULTS.maxDepth) throw new Uncacheable();
  switch (typeof value) {
    case 'string':
      return `s${value.length}:${value}`;
    case 'number':
      return `n${value}`;
    case 'boolean':
      return value ? 'T' : 'F';
    case 'undefined':
      return 'U';
    case 'bigint':
      return `i${value}`;
    case 'object':
      return value === null ? 'N' : hashObject(value, depth, budget);
    default:
      throw new Uncacheable();
  }
}

function hashObject(obj: object, depth: number, budget: { nodes: number }): string {
  if (isPlaceholder(obj)) throw new Uncacheable();
  if (isSafeString(obj)) return `S${hash(String(obj), depth, budget)}`;
  if (isImmutable(obj)) return `#${idOf(obj)}`;
  if (Array.isArray(obj)) {
    let out = '[';
    for (const item of obj) out += hash(item, depth + 1, budget) + ',';
    return out + ']';
  }
  const proto = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) throw new Uncacheable();
  let out = '{';
  for (const [name, item] of Object.entries(obj)) out += `${name.length}:${name}=${hash(item, depth + 1, budget)},`;
  return out + '}';
}

/** Frozen, and so are its own members that are objects (a deep-frozen tree freezes children first). */
function isImmutable(obj: object): boolean {
  if (immutable.has(obj)) return true;
  if (!Object.isFrozen(obj)) return false;
  for (const member of Object.values(obj)) {
    if (member !== null && typeof member === 'object' && !Object.isFrozen(member)) return false;
  }
  immutable.add(obj);
  return true;
}

/** Objects found immutable already (a frozen object stays frozen). */
const immutable = new WeakSet<object>();
