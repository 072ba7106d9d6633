/**
 * FieldStripper: removes remove_fields from objects by copy-on-strip, never touching the
 * object it is given.
 *
 * All remove_fields paths are merged at construction into one tree of steps, so an object
 * is walked once however many paths there are. Only the objects and arrays on a path from
 * the root to a field that is actually removed are shallow-copied (each at most once, even
 * when several removed fields share it); every other value is shared with the input. When
 * none of the fields is present, the input itself is returned and nothing is allocated.
 */
import { compileRemoval, type RemovalStep } from '../path/index.ts';

/** One step of the merged removal tree, while it is being built. */
interface DraftNode {
  /** True when the field reached by this step is removed (whatever lies below it). */
  remove: boolean;
  /** Deeper steps, keyed by the step as a string. */
  readonly children: Map<string, DraftNode>;
}

/** One step of the compiled removal tree. */
interface RemovalNode {
  /** The object key (or the array index as a string) this step reads. */
  readonly step: string;
  /** The array index this step reads, or -1 when it is not a canonical index. */
  readonly index: number;
  /** True when the field this step reaches is removed. */
  readonly remove: boolean;
  /** Deeper steps; empty when `remove` is true. */
  readonly children: readonly RemovalNode[];
}

/** A replacement for one child of a copied container: a stripped value, or REMOVED. */
interface Change {
  readonly node: RemovalNode;
  readonly value: unknown;
}

const REMOVED: unique symbol = Symbol('removed');
const ABSENT: unique symbol = Symbol('absent');

/**
 * Strips a fixed list of remove_fields paths. Each entry must be a simple path (keys and
 * indices); the constructor throws PathError otherwise. All indices address the object as
 * received: removing `spec.ports[0]` and `spec.ports[1]` removes the first two ports.
 */
export class FieldStripper {
  /** The remove_fields entries, as written. */
  readonly exprs: readonly string[];
  readonly #steps: readonly RemovalNode[];

  constructor(exprs: readonly string[]) {
    this.exprs = Object.freeze([...exprs]);
    const root: DraftNode = { remove: false, children: new Map() };
    for (const expr of exprs) addPath(root, compileRemoval(expr).segments);
    this.#steps = compileChildren(root);
  }

  /**
   * `obj` without the removed fields: the same reference when none is present, otherwise
   * a copy that shares every untouched branch with `obj`. `obj` is never mutated.
   */
  strip<T>(obj: T): T {
    return stripNode(obj, this.#steps) as T;
  }
}

function addPath(root: DraftNode, steps: readonly RemovalStep[]): void {
  let node = root;
  for (const step of steps) {
    if (node.remove) return;
    const key = String(step);
    let child = node.children.get(key);
    if (child === undefined) {
      child = { remove: false, children: new Map() };
      node.children.set(key, child);
    }
    node = child;
  }
  node.remove = true;
  node.children.clear();
}

function compileChildren(draft: DraftNode): readonly RemovalNode[] {
  return Object.freeze(
    [...draft.children].map(([step, child]) =>
      Object.freeze({ step, index: arrayIndex(step), remove: child.remove, children: compileChildren(child) }),
    ),
  );
}

/** `value` with the fields below `steps` removed, or `value` itself when nothing was. */
function stripNode(value: unknown, steps: readonly RemovalNode[]): unknown {
  if (value === null || typeof value !== 'object') return value;
  let changes: Change[] | undefined;
  for (let i = 0; i < steps.length; i++) {
    const node = steps[i]!;
    const current = childOf(value, node);
    if (current === ABSENT) continue;
    const next = node.remove ? REMOVED : stripNode(current, node.children);
    if (next !== current) (changes ??= []).push({ node, value: next });
  }
  if (changes === undefined) return value;
  if (Array.isArray(value)) return copyArray(value, changes);
  return copyObject(value as Record<string, unknown>, changes);
}

/** The child a step addresses: an own property, or an element at a canonical index. */
function childOf(container: object, node: RemovalNode): unknown {
  if (Array.isArray(container)) {
    return node.index >= 0 && node.index < container.length ? container[node.index] : ABSENT;
  }
  return Object.hasOwn(container, node.step) ? (container as Record<string, unknown>)[node.step] : ABSENT;
}

function arrayIndex(step: string): number {
  return /^(0|[1-9][0-9]*)$/.test(step) ? Number(step) : -1;
}

/** A copy of `source` with `changes` applied, keys in their original order. */
function copyObject(source: Record<string, unknown>, changes: readonly Change[]): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    const value = changedValue(changes, key, -1, source[key]);
    if (value === REMOVED) continue;
    if (key === '__proto__') defineOwn(copy, key, value);
    else copy[key] = value;
  }
  return copy;
}

/** A copy of `source` with `changes` applied; removed elements are left out. */
function copyArray(source: readonly unknown[], changes: readonly Change[]): unknown[] {
  const copy: unknown[] = [];
  for (let i = 0; i < source.length; i++) {
    const value = changedValue(changes, '', i, source[i]);
    if (value !== REMOVED) copy.push(value);
  }
  return copy;
}

/** The value a change assigns to the key (or index), or `original` when none does. */
function changedValue(changes: readonly Change[], key: string, index: number, original: unknown): unknown {
  for (const change of changes) {
    if (index >= 0 ? change.node.index === index : change.node.step === key) return change.value;
  }
  return original;
}

/** Sets an own data property even for `__proto__`, which plain assignment would not. */
function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
