/**
 * Maps what the `postgres` client throws onto the KvError codes. A value PostgreSQL refuses
 * for what it is (SQLSTATE class 22, data exception: a NUL character, an encoding it
 * cannot store; class 54, a program limit exceeded) is Invalid: it is refused again however
 * often it is sent. Everything else is Unavailable and retried: a connection refused, reset
 * or timed out, a server shutting down or starting (57P0x), too many connections (53),
 * a serialization failure (40), and also a missing table or privilege (42P01, 42501) or a
 * failed login (28), which an operator fixes while informant keeps retrying.
 */
import { isKvError, KvError } from '../types.ts';

/** SQLSTATE classes of a request that is refused for good. */
const PERMANENT_CLASSES = new Set(['22', '54']);

/** The KvError for a failed PostgreSQL call `what` (on `key`), carrying the client's error as cause. */
export function toKvError(err: unknown, what: string, key?: string): KvError {
  if (isKvError(err)) return err;
  const options = { cause: err, ...(key === undefined ? {} : { key }) };
  const sqlState = sqlStateOf(err);
  const message = err instanceof Error ? err.message : String(err);
  const detail = sqlState === undefined ? message : `${message} (SQLSTATE ${sqlState})`;
  if (sqlState !== undefined && PERMANENT_CLASSES.has(sqlState.slice(0, 2))) {
    const target = key === undefined ? '' : ` of ${key}`;
    return new KvError('Invalid', `PostgreSQL ${what}${target}: ${detail}`, options);
  }
  return new KvError('Unavailable', `PostgreSQL ${what}: ${detail}`, options);
}

/** The SQLSTATE of a server error (five characters), or undefined for a client-side error. */
export function sqlStateOf(err: unknown): string | undefined {
  if (!(err instanceof Error) || err.name !== 'PostgresError') return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}
