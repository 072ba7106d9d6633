/**
 * The indexer stage. An Indexer sits between a source and a store for one watched
 * resource: it strips remove_fields, extracts the index key from index_by and writes into
 * the resource's IndexSink (see indexer.ts for the contract).
 */
export type { IndexKey, IndexKeys, IndexSink, IndexerStats, MissingKey } from './types.ts';
export { isKeyList } from './types.ts';
export { Indexer, type IndexerOptions } from './indexer.ts';
export { IndexerError } from './error.ts';
export { FieldStripper } from './strip.ts';
export { KeyExtractor, isKeyProblem, type KeyProblem } from './index-key.ts';
