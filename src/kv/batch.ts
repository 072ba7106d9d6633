/**
 * Checks every backend applies to a batch before it reaches the engine, so that a batch
 * the engine would refuse fails the same way (Invalid) on every backend.
 */
import { KV_MAX_OPERATIONS, KvError, type KvBatch } from './types.ts';

/**
 * Throws an Invalid KvError when the batch carries more than KV_MAX_OPERATIONS
 * operations or guards (etcd limits both), an operation or guard with an empty key, or
 * two operations on one key.
 */
export function validateBatch(batch: KvBatch): void {
  if (batch.guards.length > KV_MAX_OPERATIONS) {
    throw new KvError('Invalid', `a batch carries at most ${KV_MAX_OPERATIONS} guards, this one ${batch.guards.length}`);
  }
  if (batch.operations.length > KV_MAX_OPERATIONS) {
    throw new KvError(
      'Invalid',
      `a batch carries at most ${KV_MAX_OPERATIONS} operations, this one ${batch.operations.length}`,
    );
  }
  const seen = new Set<string>();
  for (const operation of batch.operations) {
    validateKey(operation.key);
    if (seen.has(operation.key)) {
      throw new KvError('Invalid', `a batch writes key "${operation.key}" twice`, { key: operation.key });
    }
    seen.add(operation.key);
  }
  for (const guard of batch.guards) validateKey(guard.key);
}

/** Throws an Invalid KvError for an empty key. */
export function validateKey(key: string): void {
  if (key === '') throw new KvError('Invalid', 'a key cannot be empty');
}
