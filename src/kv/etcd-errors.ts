/**
 * Maps what the `etcd3` client throws onto the KvError codes: unreachable, timed out or
 * closed is Unavailable, a compacted revision is Compacted, a request etcd refuses as
 * malformed or too large is Invalid. Outcomes of compares (AlreadyExists, NotFound,
 * Conflict) are decided by the repository from the transaction's result, not here.
 */
import {
  ClientClosedError,
  GRPCInvalidArgumentError,
  GRPCOutOfRangeError,
  GRPCResourceExhastedError,
} from 'etcd3';
import { isKvError, KvError } from './index.ts';

/** etcd's message for a read or watch below the compacted revision. */
const COMPACTED_MESSAGE = 'required revision has been compacted';
/** etcd's message for a read above the current revision. */
const FUTURE_MESSAGE = 'required revision is a future revision';

/** True when `err` says the requested revision was compacted. */
export function isCompactedError(err: unknown): boolean {
  return err instanceof Error && err.message.includes(COMPACTED_MESSAGE);
}

/** True when `err` says the requested revision is in the future. */
export function isFutureRevisionError(err: unknown): boolean {
  return err instanceof Error && err.message.includes(FUTURE_MESSAGE);
}

/** The KvError for a failed etcd call `what` (on `key`), carrying the client's error as cause. */
export function toKvError(err: unknown, what: string, key?: string): KvError {
  if (isKvError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  const options = { cause: err, ...(key === undefined ? {} : { key }) };
  if (isCompactedError(err)) return new KvError('Compacted', `etcd ${what}: ${message}`, options);
  if (err instanceof ClientClosedError) return new KvError('Unavailable', `etcd ${what}: the client is closed`, options);
  if (isInvalidRequest(err)) return new KvError('Invalid', `etcd ${what}: ${message}`, options);
  return new KvError('Unavailable', `etcd ${what}: ${message}`, options);
}

function isInvalidRequest(err: unknown): boolean {
  if (err instanceof GRPCInvalidArgumentError) return true;
  if (err instanceof GRPCOutOfRangeError) return true;
  return err instanceof GRPCResourceExhastedError && /too large|message larger/i.test((err as Error).message);
}
