/**
 * Splitting writes into etcd transactions: at most KV_MAX_OPERATIONS operations (etcd's
 * --max-txn-ops) and at most `maxBytes` of keys and values (below etcd's 1.5 MiB
 * --max-request-bytes) per transaction. An operation larger than `maxBytes` travels alone.
 */
import { KV_MAX_OPERATIONS, type KvOperation } from '../kv/index.ts';

/** How big one transaction may get. */
export interface BatchLimits {
  /** Operations per transaction, at most KV_MAX_OPERATIONS. */
  readonly maxOperations: number;
  /** Bytes of keys and values per transaction (UTF-8). */
  readonly maxBytes: number;
}

/** The limits publishers use. */
export const BATCH_LIMITS: BatchLimits = Object.freeze({
  maxOperations: KV_MAX_OPERATIONS,
  /** 1 MB: leaves room below etcd's default request limit (1.5 MiB) for the request's own overhead. */
  maxBytes: 1_000_000,
});

/** The UTF-8 size of an operation's key and value. */
export function operationBytes(operation: KvOperation): number {
  return Buffer.byteLength(operation.key) + (operation.type === 'put' ? Buffer.byteLength(operation.value) : 0);
}

/** `operations` in order, cut into transactions within `limits`. */
export function chunkOperations(operations: readonly KvOperation[], limits: BatchLimits = BATCH_LIMITS): KvOperation[][] {
  return chunkWrites(operations, (operation) => operation, limits);
}

/** `writes` (each one operation, `operationOf`) in order, cut into transactions within `limits`. */
export function chunkWrites<T>(writes: readonly T[], operationOf: (write: T) => KvOperation, limits: BatchLimits = BATCH_LIMITS): T[][] {
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let bytes = 0;
  for (const write of writes) {
    const size = operationBytes(operationOf(write));
    if (chunk.length > 0 && (chunk.length >= limits.maxOperations || bytes + size > limits.maxBytes)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(write);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
