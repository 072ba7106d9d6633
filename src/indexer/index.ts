/**
 * The indexer stage's vocabulary. An Indexer sits between a source and a store for one
 * watched resource: it strips remove_fields, extracts the index key from index_by and
 * writes into the store (see indexer.ts for the contract).
 */

/** An object that is not stored because its index key is missing. */
export interface MissingKey {
  /** The object's identity, "namespace/name" (or "name" when cluster-scoped). */
  readonly id: string;
  /** The first index_by expression that yields no usable value. */
  readonly expr: string;
  /** Why, e.g. "no value" or "2 values (expected one)". */
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

export { Indexer, type IndexerOptions } from './indexer.ts';
export { IndexerError } from './error.ts';
export { FieldStripper } from './strip.ts';
export { KeyExtractor, isKeyProblem, type KeyProblem } from './index-key.ts';
