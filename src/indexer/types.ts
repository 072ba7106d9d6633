/**
 * The indexer stage's contract types: the index key it makes, the sink it writes into
 * (declared here, by its consumer; every Store is one) and what it reports.
 */
import type { KubeObject } from '../k8s.ts';

/** An object's index key: one string per index_by expression, in order. */
export type IndexKey = readonly string[];

/**
 * Every index key of one object: a single key, or a list of keys when an index_by
 * expression is multi-valued (`spec.rules[*].host`): the object is filed under each of
 * them, and found once by any of them.
 */
export type IndexKeys = IndexKey | readonly IndexKey[];

/** True when `keys` is a list of keys rather than one key (whose components are strings, not arrays). */
export function isKeyList(keys: IndexKeys): keys is readonly IndexKey[] {
  return Array.isArray(keys[0]);
}

/**
 * Where an Indexer writes the objects of one watched resource, each filed under its index
 * key: exactly what the indexer uses, so a store (or a test's recorder) needs nothing
 * more. Every Store implements it. Identity is cluster/namespace/name.
 */
export interface IndexSink {
  /** How many index keys each object is filed under; the indexer checks it equals index_by's length. */
  readonly keyCount: number;
  /** Moves on every call that changed the contents, and only then: the indexer reports a change when it moved. */
  readonly modCount: number;
  /** Inserts or replaces the object with this identity, under `key` (every key of a list; an upsert that moves it when its keys changed). */
  update(obj: KubeObject, key: IndexKeys): void;
  /** Removes the object with this identity, never its key-mates (also uid when both are known). */
  delete(obj: KubeObject): void;
  /** Makes the contents exactly `entries` (after a relist). */
  replace(entries: ReadonlyArray<{ obj: KubeObject; key: IndexKeys }>): void;
}

/** An object that is not stored because its index key is missing. */
export interface MissingKey {
  /** The object's identity, "namespace/name" (or "name" when cluster-scoped). */
  readonly id: string;
  /** The first index_by expression that yields no usable value. */
  readonly expr: string;
  /** Why, e.g. "no value" or "an object (expected a string, number or boolean)". */
  readonly reason: string;
}

/** What an indexer reports for metrics and the debug endpoint. */
export interface IndexerStats {
  /**
   * How many times an object became unstorable for lack of an index key since the
   * indexer was created (a counter: an object is counted when it enters the missing set,
   * not on every update while it stays there).
   */
  missingKeys: number;
  /** The objects missing a key right now, sorted by id. */
  missing: MissingKey[];
}
