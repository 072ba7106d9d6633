/**
 * Maps what the `etcd3` client throws onto the KvError codes: unreachable, timed out or
 * closed is Unavailable, a compacted revision is Compacted, a request etcd refuses as
 * malformed or too large is Invalid. Outcomes of compares (AlreadyExists, NotFound,
 * Conflict) are decided by the repository from the transaction's result, not here.
 *
 * What etcd 3.4 answers for a request that is too large (seen against a real etcd):
 * above `--max-request-bytes` (1.5 MiB by default) `3 INVALID_ARGUMENT: etcdserver:
 * request is too large` (GRPCInvalidArgumentError); above its gRPC receive limit
 * (max-request-bytes + 512 KiB) `8 RESOURCE_EXHAUSTED: grpc: received message larger than
 * max (N vs. M)` (GRPCResourceExhastedError). Both are Invalid, naming the key when the
 * request wrote one key. Other RESOURCE_EXHAUSTED answers (a full database) stay
 * Unavailable: they pass once an operator frees space.
 */
import { etcd3 } from './etcd3-module.ts';
import { isKvError, KvError } from '../types.ts';

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
  if (err instanceof etcd3().ClientClosedError) return new KvError('Unavailable', `etcd ${what}: the client is closed`, options);
  if (isTooLarge(err)) {
    const target = key === undefined ? '' : ` of ${key}`;
    return new KvError('Invalid', `etcd ${what}${target}: the request is larger than etcd accepts (--max-request-bytes): ${message}`, options);
  }
  if (isInvalidRequest(err)) return new KvError('Invalid', `etcd ${what}: ${message}`, options);
  return new KvError('Unavailable', `etcd ${what}: ${message}`, options);
}

/** True when etcd refused a request for its size (see the module comment). */
export function isTooLarge(err: unknown): boolean {
  const { GRPCInvalidArgumentError, GRPCResourceExhastedError } = etcd3();
  if (err instanceof GRPCInvalidArgumentError) return /request is too large/i.test(err.message);
  return err instanceof GRPCResourceExhastedError && /too large|message larger/i.test(err.message);
}

function isInvalidRequest(err: unknown): boolean {
  const { GRPCInvalidArgumentError, GRPCOutOfRangeError } = etcd3();
  return err instanceof GRPCInvalidArgumentError || err instanceof GRPCOutOfRangeError;
}
