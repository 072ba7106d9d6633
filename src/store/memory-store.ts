/**
 * MemoryStore: the `full` store backend. Holds every (field-stripped) object of one
 * watched resource in memory, filed under its index key in a KeyTrie.
 */
import { objectId, type KubeObject } from '../k8s.ts';
import { deepFreeze } from './freeze.ts';
import { isKeyList, StoreError, type IndexKey, type IndexKeys, type KeyedReads, type Store, type StoreOperation } from './types.ts';
import { KeyTrie, type TrieEntry, type TrieNode } from './key-trie.ts';
import { isSameVersion } from './reference.ts';
import type { StoreBackend } from './registry.ts';

/** The `full` store backend for the StoreRegistry: a MemoryStore keyed by index_by. */
export const fullStoreBackend: StoreBackend = Object.freeze<StoreBackend>({
  name: 'full',
  build: ({ name, keyCount }) => new MemoryStore({ name, keyCount }),
});

/**
 * A held object: its trie entry (under its first key), its entries under further keys (a
 * multi-valued index_by; each holds the same object), and the last replace() generation
 * that listed it. `more` is added only to entries that ever had several keys, so the
 * entries of single keys (most) take no slot for it.
 */
interface StoreEntry extends TrieEntry {
  seen: number;
  more?: TrieEntry[] | undefined;
}

/** What get returns when nothing matches: one shared frozen array. */
const NO_OBJECTS: readonly KubeObject[] = Object.freeze([]);

export interface MemoryStoreOptions {
  /** The watched resource the store holds (for errors and metrics). */
  name: string;
  /** How many index keys each object has (index_by length). */
  keyCount: number;
  /**
   * Called after every change of the contents with the object now held (or, with
   * `deleted`, the one just removed); clear() reports each removed object. The object may
   * not be frozen yet (objects are frozen on their first read): a listener that keeps it
   * freezes it. Default none.
   */
  onChange?: (namespace: string, name: string, obj: KubeObject, deleted: boolean) => void;
}

/**
 * An in-memory Store with every guarantee of the Store interface:
 * - exact get is one Map lookup per key component; prefix get costs what it returns;
 *   results are frozen arrays cached per trie node until a mutation below that node, so
 *   repeated gets between changes return the same array and allocate nothing;
 * - identity is cluster/namespace/name; `add`/`update` are upserts that move the object when its
 *   keys changed (no trace stays under an old key); `delete` removes exactly that object.
 * - an object with several keys is filed under each (an entry per distinct key) and
 *   returned once by any read; objects with one key (the common case) take the same path,
 *   and the same memory, as if the store knew no other kind.
 *   When both the stored object and the deleted one carry a uid and they differ, the
 *   delete concerns an older incarnation of the name and is ignored;
 * - ownership: the store takes ownership of every object it is given and deep-freezes it
 *   (see deepFreeze) before it first returns it, so every object it returns is read-only,
 *   and the caller must not change an object after handing it over. Freezing waits for
 *   the first read (the trie freezes an object when it enters a sorted array): a version
 *   replaced before anyone read it, as under watch churn between renders, is never walked.
 *
 * Not safe for concurrent use across worker threads (JavaScript objects are not shared);
 * within one event loop every call is atomic.
 */
export class MemoryStore implements Store, KeyedReads {
  readonly name: string;
  readonly keyCount: number;
  readonly #trie: KeyTrie;
  /** scope (cluster and namespace, see scopeOf) → name → entry: the identity index. */
  readonly #byIdentity = new Map<string, Map<string, StoreEntry>>();
  readonly #onChange: MemoryStoreOptions['onChange'];
  #size = 0;
  #modCount = 0;
  /** Stamps the entries one replace() call has seen, to sweep the others. */
  #generation = 0;

  constructor(options: MemoryStoreOptions) {
    if (!Number.isInteger(options.keyCount) || options.keyCount < 0) {
      throw new RangeError(
        `store "${options.name}": keyCount must be a non-negative integer, got ${options.keyCount}`,
      );
    }
    this.name = options.name;
    this.keyCount = options.keyCount;
    this.#onChange = options.onChange;
    this.#trie = new KeyTrie(options.keyCount);
  }

  /** Bumped on every mutation that changed the contents. */
  get modCount(): number {
    return this.#modCount;
  }

  /**
   * Inserts or replaces the object with this identity under `key`; the object is frozen.
   * Re-adding the very object already held under the same key changes nothing.
   */
  add(obj: KubeObject, key: IndexKeys): void {
    this.#checkEntry(obj, key, 'add');
    this.#upsert(obj, key, this.#lookup(obj));
  }

  /** Same as add (upsert). */
  update(obj: KubeObject, key: IndexKeys): void {
    this.#checkEntry(obj, key, 'update');
    this.#upsert(obj, key, this.#lookup(obj));
  }

  /**
   * Removes the object with this identity. Absent objects are ignored (no modCount bump);
   * so is a delete whose uid differs from the stored object's (an older incarnation).
   */
  delete(obj: KubeObject): void {
    this.#checkObject(obj, 'delete');
    const entry = this.#lookup(obj);
    if (entry === undefined) return;
    const uid = obj.metadata.uid;
    const storedUid = entry.obj.metadata.uid;
    if (uid !== undefined && storedUid !== undefined && uid !== storedUid) return;
    this.#remove(entry);
  }

  /**
   * Makes the contents exactly `entries` (the last entry wins for a repeated identity).
   * Identities not in `entries` are deleted; an entry whose uid equals the stored object's
   * and whose resourceVersion is defined and equal to it, under the same keys, is left
   * alone (the stored object is kept); everything else is upserted (a changed uid is a
   * delete then an add, which for the contents is the same as an upsert). Every entry is
   * checked before anything changes, so a bad entry leaves the store untouched.
   */
  replace(entries: ReadonlyArray<{ obj: KubeObject; key: IndexKeys }>): void {
    for (const { obj, key } of entries) this.#checkEntry(obj, key, 'replace');
    const generation = ++this.#generation;
    for (const { obj, key } of entries) this.#reconcile(obj, key).seen = generation;
    for (const names of this.#byIdentity.values()) {
      for (const entry of names.values()) {
        if (entry.seen !== generation) this.#remove(entry);
      }
    }
  }

  /**
   * Objects whose leading index keys equal `keys`, sorted; frozen and read-only. The keys
   * are walked first and checked only when nothing matches: trie segments are strings, so a
   * key of another type never matches, and a hit (the common case) pays for no checks.
   */
  get(...keys: string[]): readonly KubeObject[] {
    if (keys.length > this.keyCount) throw this.#tooManyKeys(keys);
    const node = this.#trie.find(keys);
    if (node !== undefined) return this.#trie.sorted(node);
    this.#checkKeys(keys);
    return NO_OBJECTS;
  }

  /** Every object, sorted by namespace then name; frozen and read-only. */
  list(): readonly KubeObject[] {
    return this.#trie.sorted(this.#trie.root);
  }

  /** Removes everything (a modCount bump only when something was held). */
  clear(): void {
    if (this.#size === 0) return;
    if (this.#onChange !== undefined) {
      for (const obj of this.list()) this.#onChange(obj.metadata.namespace ?? '', obj.metadata.name, obj, true);
    }
    this.#trie.clear();
    this.#trie.multiFiled = 0;
    this.#byIdentity.clear();
    this.#size = 0;
    this.#modCount++;
  }

  /** How many objects are held. */
  size(): number {
    return this.#size;
  }

  /** The object held with this identity ("" namespace for cluster-scoped), or undefined; frozen. */
  lookup(namespace: string, name: string, cluster?: string): KubeObject | undefined {
    const obj = this.#byIdentity.get(scopeOf(cluster, namespace))?.get(name)?.obj;
    return obj === undefined ? undefined : deepFreeze(obj);
  }

  /** The keys the object with `obj`'s identity is filed under, in the order given (duplicates dropped); empty when not held. */
  keysOf(obj: KubeObject): IndexKey[] {
    const entry = this.#lookup(obj);
    return entry === undefined ? [] : filingsOf(entry).map((filing) => this.#trie.keyOf(filing.leaf));
  }

  #tooManyKeys(keys: readonly unknown[]): StoreError {
    return new StoreError(
      `store "${this.name}": get with ${keys.length} keys, but objects have ${this.keyCount} index keys`,
      { store: this.name, operation: 'get', keys: keys.map(String) },
    );
  }

  /** Throws a StoreError when a get key is not a string. */
  #checkKeys(keys: readonly unknown[]): void {
    for (let i = 0; i < keys.length; i++) {
      if (typeof keys[i] !== 'string') {
        throw new StoreError(`store "${this.name}": key ${i} is a ${typeof keys[i]}, not a string`, {
          store: this.name,
          operation: 'get',
          keys: keys.map(String),
        });
      }
    }
  }

  /** Files `obj` under `key`, replacing `entry` (the object held with its identity, if any). */
  #upsert(obj: KubeObject, key: IndexKeys, entry: StoreEntry | undefined): StoreEntry {
    const single = singleKey(key);
    if (single === undefined || entry?.more !== undefined) return this.#upsertFilings(obj, keyList(key), entry);
    const leaf = this.#trie.leafFor(single);
    if (entry === undefined) return this.#insert(obj, leaf);
    if (entry.obj === obj && entry.leaf === leaf) return entry;
    entry.obj = obj;
    this.#move(entry, leaf);
    this.#changed(entry);
    return entry;
  }

  /**
   * #upsert for an object with several keys (or that had several): in place when its
   * distinct keys are the same ones in the same order, else unfiled and filed anew.
   */
  #upsertFilings(obj: KubeObject, keys: readonly IndexKey[], held: StoreEntry | undefined): StoreEntry {
    if (held !== undefined && this.#isFiledUnder(held, keys)) {
      if (held.obj === obj) return held;
      for (const filing of filingsOf(held)) {
        filing.obj = obj;
        this.#trie.replaced(filing);
      }
      this.#changed(held);
      return held;
    }
    if (held !== undefined) this.#unfile(held);
    const leaves = distinctLeaves(keys.map((key) => this.#trie.leafFor(key)));
    const entry = held ?? this.#adopt({ obj, leaf: leaves[0]!, slot: 0, seen: 0 });
    entry.obj = obj;
    this.#trie.insert(entry, leaves[0]!);
    if (leaves.length > 1) {
      entry.more = leaves.slice(1).map((leaf) => ({ obj, leaf, slot: 0 }));
      for (const filing of entry.more) this.#trie.insert(filing, filing.leaf);
      this.#trie.multiFiled++;
    }
    this.#changed(entry);
    return entry;
  }

  /** True when `entry` is filed under exactly the distinct `keys`, in that order. */
  #isFiledUnder(entry: StoreEntry, keys: readonly IndexKey[]): boolean {
    const found = keys.map((key) => this.#trie.find(key));
    if (found.includes(undefined)) return false;
    const leaves = distinctLeaves(found as TrieNode[]);
    const filings = filingsOf(entry);
    return leaves.length === filings.length && leaves.every((leaf, i) => filings[i]!.leaf === leaf);
  }

  /** Takes a new entry into the identity index (it is filed by the caller). */
  #adopt(entry: StoreEntry): StoreEntry {
    const meta = entry.obj.metadata;
    mapIn(this.#byIdentity, scopeOf(meta.cluster, meta.namespace)).set(meta.name, entry);
    this.#size++;
    return entry;
  }

  /** Unfiles every entry of a held object (it stays in the identity index). */
  #unfile(entry: StoreEntry): void {
    this.#trie.remove(entry);
    if (entry.more === undefined) return;
    for (const filing of entry.more) this.#trie.remove(filing);
    entry.more = undefined;
    this.#trie.multiFiled--;
  }

  /** Counts a change of `entry`'s object and reports it. */
  #changed(entry: StoreEntry): void {
    this.#modCount++;
    this.#onChange?.(entry.obj.metadata.namespace ?? '', entry.obj.metadata.name, entry.obj, false);
  }

  /** replace()'s step for one incoming object: keep the held one when unchanged, else upsert. */
  #reconcile(obj: KubeObject, key: IndexKeys): StoreEntry {
    const entry = this.#lookup(obj);
    if (entry !== undefined && isSameVersion(entry.obj, obj) && this.#isUnmoved(entry, key)) return entry;
    return this.#upsert(obj, key, entry);
  }

  /** True when `entry` is filed under exactly `key`. */
  #isUnmoved(entry: StoreEntry, key: IndexKeys): boolean {
    const single = singleKey(key);
    if (single !== undefined && entry.more === undefined) return this.#trie.find(single) === entry.leaf;
    return this.#isFiledUnder(entry, keyList(key));
  }

  #insert(obj: KubeObject, leaf: TrieNode): StoreEntry {
    const entry = this.#adopt({ obj, leaf, slot: 0, seen: 0 });
    this.#trie.insert(entry, leaf);
    this.#changed(entry);
    return entry;
  }

  /** Files `entry` (whose object just changed) under `leaf`, unfiling it from its old leaf. */
  #move(entry: StoreEntry, leaf: TrieNode): void {
    if (entry.leaf === leaf) {
      this.#trie.replaced(entry);
      return;
    }
    this.#trie.remove(entry);
    this.#trie.insert(entry, leaf);
  }

  #remove(entry: StoreEntry): void {
    const meta = entry.obj.metadata;
    const scope = scopeOf(meta.cluster, meta.namespace);
    const names = this.#byIdentity.get(scope)!;
    names.delete(meta.name);
    if (names.size === 0) this.#byIdentity.delete(scope);
    this.#unfile(entry);
    this.#size--;
    this.#modCount++;
    this.#onChange?.(meta.namespace ?? '', meta.name, entry.obj, true);
  }

  #lookup(obj: KubeObject): StoreEntry | undefined {
    return this.#byIdentity.get(scopeOf(obj.metadata.cluster, obj.metadata.namespace))?.get(obj.metadata.name);
  }

  /** Throws a StoreError unless `obj` has an identity and `key` is a key (or a non-empty list of keys) of keyCount strings. */
  #checkEntry(obj: KubeObject, key: IndexKeys, operation: StoreOperation): void {
    this.#checkObject(obj, operation);
    if (Array.isArray(key) && isKeyList(key)) {
      for (const one of key) this.#checkKey(obj, one, operation);
    } else {
      this.#checkKey(obj, key as IndexKey, operation);
    }
  }

  #checkKey(obj: KubeObject, key: IndexKey, operation: StoreOperation): void {
    const problem = keyProblem(key, this.keyCount);
    if (problem === undefined) return;
    throw new StoreError(`store "${this.name}": ${operation} of ${objectId(obj)}: ${problem}`, {
      store: this.name,
      operation,
      keys: Array.isArray(key) ? key.map(String) : [],
    });
  }

  /** Throws a StoreError unless `obj` has a string metadata.name (and namespace and cluster, if any). */
  #checkObject(obj: KubeObject, operation: StoreOperation): void {
    const meta = (obj as { metadata?: { name?: unknown; namespace?: unknown; cluster?: unknown } } | null)?.metadata;
    const { namespace, cluster } = meta ?? {};
    const optional = (v: unknown): boolean => v === undefined || typeof v === 'string';
    if (typeof meta?.name === 'string' && optional(namespace) && optional(cluster)) return;
    throw new StoreError(`store "${this.name}": ${operation} of an object without a metadata.name`, {
      store: this.name,
      operation,
    });
  }
}

/** The one key `key` names (a key, or a list of one key), or undefined for several. */
function singleKey(key: IndexKeys): IndexKey | undefined {
  if (!isKeyList(key)) return key;
  return key.length === 1 ? key[0] : undefined;
}

/** `key` as a list of keys. */
function keyList(key: IndexKeys): readonly IndexKey[] {
  return isKeyList(key) ? key : [key];
}

/** Every trie entry of a held object: under its first key, then its further keys. */
function filingsOf(entry: StoreEntry): readonly TrieEntry[] {
  return entry.more === undefined ? [entry] : [entry, ...entry.more];
}

/** `leaves` without repeats (a key listed twice), in order. */
function distinctLeaves(leaves: readonly TrieNode[]): TrieNode[] {
  return [...new Set(leaves)];
}

/** Why `key` is not a tuple of `keyCount` strings, or undefined when it is one. */
function keyProblem(key: IndexKey, keyCount: number): string | undefined {
  if (!Array.isArray(key)) return 'no index key';
  if (key.length !== keyCount) return `${key.length} index keys, expected ${keyCount}`;
  for (let i = 0; i < key.length; i++) {
    if (typeof key[i] !== 'string') return `index key ${i} is a ${typeof key[i]}, not a string`;
  }
  return undefined;
}

/**
 * The first level of the identity index: the namespace alone without a cluster (so a
 * single cluster builds no strings), else cluster and namespace joined by NUL, which
 * neither contains.
 */
function scopeOf(cluster: string | undefined, namespace: string | undefined): string {
  return cluster === undefined ? (namespace ?? '') : `${cluster}\u0000${namespace ?? ''}`;
}

function mapIn<V>(outer: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let inner = outer.get(key);
  if (inner === undefined) {
    inner = new Map();
    outer.set(key, inner);
  }
  return inner;
}

