/**
 * deepFreeze: makes a plain JSON value read-only all the way down, so objects a store
 * hands out cannot be changed behind its back; on the way, repeated strings are replaced
 * by one shared instance (see StringTable).
 */
import { sharedStrings, type SharedStrings } from './string-table.ts';

/**
 * Freezes `value` and every object and array reachable from it, in place, and returns it.
 * Primitives are returned as they are.
 *
 * All or nothing: children are frozen before their parents, so a frozen object is always
 * deeply frozen, and an object that is already frozen is not descended into (re-inserting
 * a shared subtree costs nothing). If freezing stops half-way (an exotic object refusing),
 * the top stays unfrozen and the next call finishes the job. Any depth is fine: values
 * deeper than DEFAULTS.maxRecursion are walked iteratively (no call stack to overflow).
 * Shared and cyclic references are safe: an object is expanded once, and in a cycle the
 * object reached again is frozen last.
 *
 * Before an object or array is frozen, each of its string values that `strings` already
 * holds is replaced by the table's instance (an equal string: nothing a reader can tell
 * apart, only the heap is smaller), by plain assignment: the value must be plain data (as
 * parsed JSON or YAML is), whose properties are writable until frozen. Values deeper than
 * DEFAULTS.maxRecursion keep their own strings.
 */
export function deepFreeze<T>(value: T, strings: SharedStrings = sharedStrings): T {
  if (isUnfrozenObject(value) && !freezeShallowTree(value, 0, strings)) freezeAnyValue(value);
  return value;
}

const DEFAULTS = Object.freeze({
  /**
   * Levels the fast path descends by recursion (levels): far more than any Kubernetes
   * object has, far less than the call stack holds. Deeper values, and cycles (which
   * never end by recursion), take the iterative walk.
   */
  maxRecursion: 256,
});

/**
 * The fast path: freezes the tree below `node` by recursion, children first; false (with
 * only whole subtrees frozen) when it is deeper than DEFAULTS.maxRecursion.
 */
function freezeShallowTree(node: object, depth: number, strings: SharedStrings): boolean {
  if (depth > DEFAULTS.maxRecursion) return false;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const child: unknown = node[i];
      if (typeof child === 'string') {
        const shared = strings.shared(child);
        if (shared !== undefined) node[i] = shared;
      } else if (isUnfrozenObject(child) && !freezeShallowTree(child, depth + 1, strings)) return false;
    }
  } else {
    const record = node as Record<string, unknown>;
    for (const key in record) {
      const child = record[key];
      if (typeof child === 'string') {
        const shared = strings.shared(child);
        if (shared !== undefined) record[key] = shared;
      } else if (isUnfrozenObject(child) && !freezeShallowTree(child, depth + 1, strings)) return false;
    }
  }
  Object.freeze(node);
  return true;
}

/** The general walk: iterative, any depth, shared and cyclic references included. */
function freezeAnyValue(value: object): void {
  const stack: object[] = [value];
  const expanded = new Set<object>();
  while (stack.length > 0) {
    const node = stack[stack.length - 1]!;
    if (expanded.has(node) || Object.isFrozen(node)) {
      stack.pop();
      Object.freeze(node);
      continue;
    }
    expanded.add(node);
    pushChildren(node, stack, expanded);
  }
}

/** Pushes the children of `node` that still need freezing (not expanded: in a cycle, an ancestor). */
function pushChildren(node: object, stack: object[], expanded: Set<object>): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const child: unknown = node[i];
      if (isUnfrozenObject(child) && !expanded.has(child)) stack.push(child);
    }
    return;
  }
  const record = node as Record<string, unknown>;
  for (const key in record) {
    const child = record[key];
    if (isUnfrozenObject(child) && !expanded.has(child)) stack.push(child);
  }
}

function isUnfrozenObject(value: unknown): value is object {
  return value !== null && typeof value === 'object' && !Object.isFrozen(value);
}
