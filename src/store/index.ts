/**
 * The store stage's vocabulary: the Store interface every backend implements, and
 * StoreError. Index keys are tuples (arrays of strings), never strings joined with "/".
 */
import type { KubeObject } from '../k8s.ts';

/** An object's index key: one string per index_by expression, in order. */
export type IndexKey = readonly string[];

/**
 * A keyed collection of objects of one watched resource (HAPTIC's store interface, kept).
 *
 * Guarantees, for every implementation:
 * - Identity is namespace/name: `add`/`update` of an existing identity replaces it (and
 *   moves it when its index key changed); `delete` removes exactly that object, never its
 *   key-mates.
 * - `get` with all keys is an exact match; with fewer keys it matches every object whose
 *   leading keys are equal (prefix). More keys than the store's index has is a StoreError.
 * - Keys need not be unique: several objects may share one key tuple.
 * - Every result is sorted by namespace, then name.
 * - Results are read-only (frozen); callers must not mutate them.
 * - `modCount` increases on every mutation that changed the contents, and only then.
 */
export interface Store {
  /** The watched resource this store holds. */
  readonly name: string;
  /** How many index keys objects have (index_by length). */
  readonly keyCount: number;
  /** Inserts or replaces the object with this identity, under `key`. */
  add(obj: KubeObject, key: IndexKey): void;
  /** Same as add (upsert). */
  update(obj: KubeObject, key: IndexKey): void;
  /** Removes the object with this identity (namespace/name; also uid when both are known). */
  delete(obj: KubeObject): void;
  /**
   * Makes the contents exactly `entries`: absent identities are deleted, entries whose uid
   * and resourceVersion equal the stored object's are left alone (no modCount bump),
   * everything else is upserted.
   */
  replace(entries: ReadonlyArray<{ obj: KubeObject; key: IndexKey }>): void;
  /** Objects whose leading index keys equal `keys` (all objects for no keys). */
  get(...keys: string[]): readonly KubeObject[];
  /** Every object, sorted by namespace then name. */
  list(): readonly KubeObject[];
  /** Removes everything. */
  clear(): void;
  /** How many objects are held. */
  size(): number;
  /** Bumped on every mutation that changed the contents. */
  readonly modCount: number;
}

export type StoreOperation = 'add' | 'update' | 'delete' | 'replace' | 'get' | 'list' | 'clear';

/** An error of a store operation, carrying the operation, the keys and the cause. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly store: string;
  readonly operation: StoreOperation;
  readonly keys: readonly string[];
  constructor(
    message: string,
    options: { store: string; operation: StoreOperation; keys?: readonly string[]; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.store = options.store;
    this.operation = options.operation;
    this.keys = options.keys ?? [];
  }
}
