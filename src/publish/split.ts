/**
 * Committing writes when some of them may be refused for good: a batch that etcd refuses
 * as Invalid (too large, a key it will not take) is committed again in halves, down to
 * single writes, so that only the writes refused on their own are left out. Every attempt
 * goes through the caller's `commit`, which carries the fencing guard; any other failure
 * (Unavailable, a failed guard) ends the attempt and rejects, as a plain commit would.
 */
import { isPermanentKvError, type KvError, type KvOperation } from '../kv/index.ts';

/** A write refused on its own, and etcd's answer. */
export interface RefusedWrite<T> {
  readonly write: T;
  readonly error: KvError;
}

/**
 * Commits `writes` (each one operation, `operationOf`) through `commit` as described in the
 * module comment. Resolves to the writes refused alone; every other write is committed.
 */
export async function commitSplitting<T>(
  writes: readonly T[],
  operationOf: (write: T) => KvOperation,
  commit: (operations: KvOperation[]) => Promise<void>,
): Promise<RefusedWrite<T>[]> {
  if (writes.length === 0) return [];
  try {
    await commit(writes.map(operationOf));
    return [];
  } catch (err) {
    if (!isPermanentKvError(err)) throw err;
    if (writes.length === 1) return [{ write: writes[0]!, error: err }];
  }
  const middle = Math.ceil(writes.length / 2);
  const first = await commitSplitting(writes.slice(0, middle), operationOf, commit);
  const second = await commitSplitting(writes.slice(middle), operationOf, commit);
  return [...first, ...second];
}
