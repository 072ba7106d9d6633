/**
 * The reflector's failure vocabulary and the decisions made on it: which failures mean
 * "relist", which mean "retry slowly, a human must act" (RBAC, a missing CRD), which are
 * transient (network, 429, 5xx) and how they are counted.
 */
import { WatchError } from '../index.ts';
import { InvalidWatchLineError, type ApiStatus } from './lines.ts';

/** The API verbs the reflector uses; `get` is discovery. */
export type Verb = 'list' | 'watch' | 'get';

/** An HTTP error answer (or an in-stream ERROR event) from the API server. */
export class ApiStatusError extends WatchError {
  /** The verb of the failed request. */
  readonly verb: Verb;
  /** Status.reason, e.g. "Forbidden", "Expired". */
  readonly reason: string | undefined;
  /** How long the server asked us to wait (Retry-After), in ms. */
  readonly retryAfterMs: number | undefined;
  constructor(
    message: string,
    options: { resource?: string; status: number; verb: Verb; reason?: string; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, options);
    this.verb = options.verb;
    this.reason = options.reason;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Discovery could not map the configured api_version/kind to a resource the server serves. */
export class UnknownResourceError extends WatchError {}

/** No bytes arrived from the server for longer than the inactivity timeout. */
export class IdleTimeoutError extends WatchError {}

/** A watch ended cleanly before delivering a single event (a server closing at once). */
export class WatchClosedEarlyError extends WatchError {}

/** The server rejected a streaming list (sendInitialEvents); fall back to list+watch. */
export class StreamingListRejectedError extends WatchError {}

/** A 2xx answer whose body is not what the API promises (not JSON, no resourceVersion). */
export class InvalidResponseError extends WatchError {}

/** The sink threw while taking an event; its contents may be off, so the reflector relists. */
export class SinkError extends WatchError {}

/** What the reflector is doing when a request fails, for messages. */
export interface RequestContext {
  verb: Verb;
  /** The watched resource's name (the watched_resources key). */
  resource: string;
  /** What is requested, e.g. "networking.k8s.io/ingresses in all namespaces". */
  what: string;
}

/** Builds the error for a non-2xx answer, with a message naming the verb and the resource. */
export function statusError(
  status: number,
  body: ApiStatus | undefined,
  retryAfter: string | undefined,
  ctx: RequestContext,
): ApiStatusError {
  const retryAfterMs = parseRetryAfter(retryAfter);
  const reason = typeof body?.reason === 'string' ? body.reason : undefined;
  const detail = typeof body?.message === 'string' && body.message !== '' ? `: ${body.message}` : '';
  const message = describeStatus(status, reason, ctx, retryAfterMs) + detail;
  return new ApiStatusError(message, { resource: ctx.resource, status, verb: ctx.verb, reason, retryAfterMs });
}

function describeStatus(status: number, reason: string | undefined, ctx: RequestContext, retryAfterMs?: number): string {
  const { verb, what } = ctx;
  if (status === 401) {
    return `unauthorized: the API server rejected the credentials to ${verb} ${what}; check the kubeconfig user or service account token`;
  }
  if (status === 403) return `forbidden: cannot ${verb} ${what}; grant ${verb === 'get' ? 'get' : 'list,watch'} (RBAC)`;
  if (status === 404) return `not found: ${verb} ${what} answered 404; is the api_version served and the CRD installed?`;
  if (status === 410) return `expired: ${verb} ${what} answered 410 ${reason ?? 'Gone'}`;
  if (status === 429) {
    const wait = retryAfterMs !== undefined ? `, retry after ${retryAfterMs / 1000} s` : '';
    return `throttled: ${verb} ${what} answered 429${wait}`;
  }
  return `${verb} ${what} answered ${status}${reason ? ` ${reason}` : ''}`;
}

/** Turns an in-stream ERROR event's Status into an error (code 410 → expired). */
export function streamError(status: ApiStatus, ctx: RequestContext): ApiStatusError {
  const code = typeof status.code === 'number' ? status.code : 500;
  return statusError(code, status, undefined, ctx);
}

/** Retry-After in seconds (the API server never sends an HTTP date) → ms. */
export function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value.trim());
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** The resource version we asked for is gone (HTTP 410, in-stream 410, reason Expired/Gone). */
export function isExpired(err: unknown): boolean {
  if (!(err instanceof ApiStatusError)) return false;
  return err.status === 410 || err.reason === 'Expired' || err.reason === 'Gone';
}

/** The failure leaves the sink possibly out of step with the server: list everything again. */
export function needsRelist(err: unknown): boolean {
  return isExpired(err) || err instanceof InvalidWatchLineError || err instanceof SinkError;
}

/** A problem retrying quickly will not fix (credentials, RBAC, a missing resource or CRD). */
export function needsHumanAttention(err: unknown): boolean {
  if (err instanceof UnknownResourceError) return true;
  return err instanceof ApiStatusError && (err.status === 401 || err.status === 403 || err.status === 404);
}

/** Whether a streaming-list request's error means "this server does not do streaming lists". */
export function isStreamingRejection(status: number): boolean {
  return status >= 400 && status < 500 && ![401, 403, 404, 410, 429].includes(status);
}

/**
 * The errorLabel values counted from the start at 0: every class, and the HTTP statuses a
 * watch meets in practice (401/403 credentials and RBAC, 404 a missing resource, 410
 * Expired, 429 throttling, 500/503 an API server in trouble). Other statuses appear when
 * they first occur.
 */
export const KNOWN_ERROR_LABELS = Object.freeze([
  'network', 'idle-timeout', 'closed-early', 'invalid-line', 'invalid-response', 'unknown-resource', 'sink', 'streaming-rejected',
  '401', '403', '404', '410', '429', '500', '503',
]);

/** The label an error is counted under in stats: the HTTP status, or a short class name. */
export function errorLabel(err: unknown): string {
  if (err instanceof WatchError && err.status !== undefined) return String(err.status);
  if (err instanceof InvalidWatchLineError) return 'invalid-line';
  if (err instanceof IdleTimeoutError) return 'idle-timeout';
  if (err instanceof WatchClosedEarlyError) return 'closed-early';
  if (err instanceof UnknownResourceError) return 'unknown-resource';
  if (err instanceof SinkError) return 'sink';
  if (err instanceof InvalidResponseError) return 'invalid-response';
  if (err instanceof StreamingListRejectedError) return 'streaming-rejected';
  return 'network';
}

/** A one-line description of any failure, for status() and logs. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}
