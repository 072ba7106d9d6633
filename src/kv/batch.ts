/**
 * Checks every backend applies to a batch before it reaches the engine, so that a batch
 * the engine would refuse fails the same way (Invalid) on every backend.
 */
import { KV_MAX_OPERATIONS, KvError, type KvBatch, type KvGuard, type KvOperation } from './types.ts';

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

/**
 * Throws an Invalid KvError when the keys and values (UTF-8) of a write add up to more
 * than `maxBytes`, worded like etcd's refusal of a request above `--max-request-bytes`, and
 * naming the key when the write has one operation. Backends without a limit of their own
 * apply it so that a write is refused alike on every backend.
 */
export function validateRequestSize(operations: readonly KvOperation[], guards: readonly KvGuard[], maxBytes: number): void {
  if (maxBytes === Infinity) return;
  let bytes = 0;
  for (const op of operations) bytes += Buffer.byteLength(op.key) + (op.type === 'put' ? Buffer.byteLength(op.value) : 0);
  for (const guard of guards) bytes += Buffer.byteLength(guard.key) + ('value' in guard ? Buffer.byteLength(guard.value) : 0);
  if (bytes <= maxBytes) return;
  const key = operations.length === 1 ? operations[0]!.key : undefined;
  const message = `request of ${bytes} bytes${key === undefined ? '' : ` writing ${key}`} is too large (the limit is ${maxBytes})`;
  throw new KvError('Invalid', message, key === undefined ? {} : { key });
}
