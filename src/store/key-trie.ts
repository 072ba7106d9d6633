/**
 * KeyTrie: objects filed under tuple index keys, one trie level per key component.
 *
 * Components are Map keys in their own level, so no value ("a/b", "", anything) can
 * collide with another tuple. An exact lookup is one Map lookup per component; a prefix
 * lookup walks to the prefix's node and reads the objects beneath it, so it costs what it
 * returns, never a scan of the whole trie. Each node caches its objects sorted by
 * namespace then name as a frozen array; a mutation drops the caches on the path from
 * its leaf to the root only, so repeated reads between mutations allocate nothing. An
 * object replaced by a new version under the same key keeps its place in every sorted
 * array (its namespace and name are unchanged), so the caches above it are patched on the
 * next read (a copy with the new object put in place) instead of being sorted again.
 *
 * Objects are deep-frozen when they first enter a sorted array (a leaf's, a merge's loose
 * run, or a patch), which every read goes through: whatever the trie returns is frozen,
 * and a version replaced before it was ever read is never walked.
 *
 * One object may be filed under several leaves (one entry per leaf, each holding the same
 * object) when its index_by is multi-valued. While any object is, merged arrays drop the
 * repeats: every object appears once in any result.
 */
import { compareByNamespaceName, type KubeObject } from '../k8s.ts';
import { deepFreeze } from './freeze.ts';
import type { IndexKey } from './types.ts';

const DEFAULTS = Object.freeze({
  /**
   * Pending replacements a cached array takes, as a fraction of its length, before it is
   * dropped and rebuilt instead: past this, a fresh merge is about as cheap as the patches.
   */
  maxPatchFraction: 0.25,
});

/** An object held by the trie and the leaf it is filed under. Owned by the trie's user. */
export interface TrieEntry {
  obj: KubeObject;
  leaf: TrieNode;
  /** Position inside the leaf (0 = `first`, n = `more[n - 1]`), kept by the leaf. */
  slot: number;
}

const EMPTY: readonly KubeObject[] = Object.freeze([]);

/**
 * One trie level: inner nodes have children, leaves (at full key depth) have entries.
 * A leaf keeps its first entry in a field and allocates an array only once a second
 * object shares the key, since most index keys are unique.
 */
export class TrieNode {
  readonly parent: TrieNode | undefined;
  /** The key component that leads from the parent to this node ("" for the root). */
  readonly segment: string;
  /** Inner nodes: next key component → child. */
  readonly children: Map<string, TrieNode> | undefined;
  /** Leaves: the first entry filed here; set whenever the leaf holds anything. */
  first: TrieEntry | undefined = undefined;
  /** Leaves: entries beyond the first, in no particular order. */
  more: TrieEntry[] | undefined = undefined;
  /** This subtree's objects, sorted and frozen; undefined until read or after a change. */
  sorted: readonly KubeObject[] | undefined = undefined;
  /** Entries whose object was replaced in place since `sorted` was built; applied on the next read. */
  patches: TrieEntry[] | undefined = undefined;

  constructor(parent: TrieNode | undefined, segment: string, leaf: boolean) {
    this.parent = parent;
    this.segment = segment;
    this.children = leaf ? undefined : new Map();
  }

  /** True when nothing is filed under this node. */
  isEmpty(): boolean {
    return this.children === undefined ? this.first === undefined : this.children.size === 0;
  }

  /** Leaves: how many entries are filed here. */
  count(): number {
    return this.first === undefined ? 0 : 1 + (this.more?.length ?? 0);
  }

  /** Leaves: files `entry` here. */
  attach(entry: TrieEntry): void {
    entry.leaf = this;
    entry.slot = this.count();
    if (entry.slot === 0) this.first = entry;
    else (this.more ??= []).push(entry);
  }

  /** Leaves: unfiles `entry` by moving the last entry into its slot. */
  detach(entry: TrieEntry): void {
    const last = this.more !== undefined && this.more.length > 0 ? this.more.pop()! : this.first!;
    if (last === this.first) this.first = undefined;
    if (last === entry) return;
    last.slot = entry.slot;
    if (entry.slot === 0) this.first = last;
    else this.more![entry.slot - 1] = last;
  }

  /** Leaves: the objects filed here, unsorted and deep-frozen, in a new array. */
  objects(): KubeObject[] {
    if (this.first === undefined) return [];
    const out = [deepFreeze(this.first.obj)];
    if (this.more !== undefined) for (const entry of this.more) out.push(deepFreeze(entry.obj));
    return out;
  }
}

/** A trie of fixed depth (the number of index keys) over TrieEntry objects. */
export class KeyTrie {
  readonly depth: number;
  /**
   * How many objects are filed under more than one leaf, kept by the trie's user. While it
   * is 0, merges skip the pass that drops repeated objects.
   */
  multiFiled = 0;
  #root: TrieNode;

  constructor(depth: number) {
    this.depth = depth;
    this.#root = new TrieNode(undefined, '', depth === 0);
  }

  /** The root node: every object. */
  get root(): TrieNode {
    return this.#root;
  }

  /** The node reached by `keys` (a full key or a prefix), or undefined when none is filed. */
  find(keys: readonly string[]): TrieNode | undefined {
    let node: TrieNode | undefined = this.#root;
    for (let i = 0; i < keys.length && node !== undefined; i++) {
      node = node.children!.get(keys[i]!);
    }
    return node;
  }

  /** The full key that leads to `leaf`. */
  keyOf(leaf: TrieNode): string[] {
    const key: string[] = [];
    for (let node: TrieNode = leaf; node.parent !== undefined; node = node.parent) key.push(node.segment);
    return key.reverse();
  }

  /** The leaf for a full key, creating it and the nodes leading to it when missing. */
  leafFor(key: IndexKey): TrieNode {
    let node = this.#root;
    for (let i = 0; i < this.depth; i++) {
      const segment = key[i]!;
      let child = node.children!.get(segment);
      if (child === undefined) {
        child = new TrieNode(node, segment, i === this.depth - 1);
        node.children!.set(segment, child);
      }
      node = child;
    }
    return node;
  }

  /** Files `entry` under `leaf` (from leafFor). */
  insert(entry: TrieEntry, leaf: TrieNode): void {
    leaf.attach(entry);
    this.touch(leaf);
  }

  /** Unfiles `entry`, pruning nodes left empty so no trace of its key remains. */
  remove(entry: TrieEntry): void {
    const leaf = entry.leaf;
    leaf.detach(entry);
    this.touch(leaf);
    let node: TrieNode = leaf;
    while (node.parent !== undefined && node.isEmpty()) {
      node.parent.children!.delete(node.segment);
      node = node.parent;
    }
  }

  /** Drops the sorted caches from `leaf` to the root; call after filing or unfiling an entry. */
  touch(leaf: TrieNode): void {
    for (let node: TrieNode | undefined = leaf; node !== undefined; node = node.parent) {
      node.sorted = undefined;
      node.patches = undefined;
    }
  }

  /**
   * Call after `entry.obj` was replaced by an object with the same namespace and name, the
   * entry staying in its leaf. Its leaf and the nodes that merely pass one child's array on
   * drop their caches (rebuilding those costs nothing); the merged arrays above are patched
   * on their next read.
   */
  replaced(entry: TrieEntry): void {
    for (let node: TrieNode | undefined = entry.leaf; node !== undefined; node = node.parent) {
      const cached = node.sorted;
      if (cached === undefined) continue;
      const merged = node.children !== undefined && node.children.size > 1;
      const patches = merged ? (node.patches ??= []) : undefined;
      if (patches === undefined || patches.length >= cached.length * DEFAULTS.maxPatchFraction) {
        node.sorted = undefined;
        node.patches = undefined;
      } else {
        patches.push(entry);
      }
    }
  }

  /** The objects under `node`, sorted by namespace then name; a cached, frozen array. */
  sorted(node: TrieNode): readonly KubeObject[] {
    if (node.sorted !== undefined) {
      if (node.patches !== undefined) node.sorted = applyPatches(node.sorted, node.patches);
      node.patches = undefined;
      return node.sorted;
    }
    if (node.isEmpty()) return EMPTY;
    let result: readonly KubeObject[];
    if (node.children === undefined) {
      result = sortObjects(node.objects());
    } else if (node.children.size === 1) {
      result = this.sorted(node.children.values().next().value!);
    } else {
      result = Object.freeze(this.#merge(node.children));
    }
    node.sorted = result;
    return result;
  }

  /** Removes everything. */
  clear(): void {
    this.#root = new TrieNode(undefined, '', this.depth === 0);
  }

  /**
   * Every child's objects in one sorted array, merged from the children's cached sorted
   * runs. When the runs do not overlap (always so when the namespace is the first index
   * key) they are concatenated in order with no sort at all; otherwise the concatenation
   * is sorted, which merges the runs. Single-object leaves are gathered into one run
   * without caching an array of one for each.
   */
  #merge(children: Map<string, TrieNode>): KubeObject[] {
    const runs: (readonly KubeObject[])[] = [];
    let loose: KubeObject[] | undefined;
    let total = 0;
    for (const child of children.values()) {
      if (child.children === undefined && child.count() === 1) {
        (loose ??= []).push(deepFreeze(child.first!.obj));
      } else if (!child.isEmpty()) {
        runs.push(this.sorted(child));
      }
    }
    if (loose !== undefined) runs.push(loose.length > 1 ? loose.sort(compareByNamespaceName) : loose);
    runs.sort(compareRuns);
    for (const run of runs) total += run.length;
    const out = new Array<KubeObject>(total);
    let n = 0;
    let ordered = true;
    for (const run of runs) {
      if (n > 0 && compareByNamespaceName(out[n - 1]!, run[0]!) > 0) ordered = false;
      for (let i = 0; i < run.length; i++) out[n++] = run[i]!;
    }
    if (!ordered) out.sort(compareByNamespaceName);
    return this.multiFiled > 0 ? withoutRepeats(out) : out;
  }
}

/**
 * `sorted` without repeated objects, in place. An object filed under several leaves is in
 * several runs; sorting puts its copies side by side (the order is total on identities).
 */
function withoutRepeats(sorted: KubeObject[]): KubeObject[] {
  let kept = Math.min(1, sorted.length);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] !== sorted[kept - 1]) sorted[kept++] = sorted[i]!;
  }
  sorted.length = kept;
  return sorted;
}

/**
 * A copy of the sorted `objects` with each patched entry's current object put in the place
 * of its previous version (found by binary search on namespace and name, which the new
 * version shares), frozen, as are the objects put in.
 */
function applyPatches(objects: readonly KubeObject[], patches: readonly TrieEntry[]): readonly KubeObject[] {
  // Spread, not slice(): V8's slice of a frozen array takes a slow path (~30x slower).
  const copy = [...objects];
  for (const { obj } of patches) {
    deepFreeze(obj);
    let low = 0;
    let high = copy.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const order = compareByNamespaceName(copy[mid]!, obj);
      if (order === 0) {
        copy[mid] = obj;
        break;
      }
      if (order < 0) low = mid + 1;
      else high = mid - 1;
    }
  }
  return Object.freeze(copy);
}

function compareRuns(a: readonly KubeObject[], b: readonly KubeObject[]): number {
  return compareByNamespaceName(a[0]!, b[0]!);
}

function sortObjects(objects: KubeObject[]): readonly KubeObject[] {
  if (objects.length > 1) objects.sort(compareByNamespaceName);
  return Object.freeze(objects);
}
