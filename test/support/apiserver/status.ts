/**
 * Kubernetes Status bodies and the error type handlers throw to answer with one.
 */
import type { ServedResource } from './resources.ts';

/** The Status reason the real API server uses for each HTTP status code. */
const REASONS: Readonly<Record<number, string>> = Object.freeze({
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
});

/** The conventional reason for an HTTP status code ('' when Kubernetes has none). */
export function reasonFor(code: number): string {
  return REASONS[code] ?? '';
}

/** Optional parts of a Status. */
export interface StatusExtras {
  /** Overrides the conventional reason (e.g. 'AlreadyExists' for a 409). */
  reason?: string;
  details?: Record<string, unknown>;
  /** ListMeta.continue, set on a 410 for an expired continue token. */
  continueToken?: string;
  /** Sent as the Retry-After header and as details.retryAfterSeconds. */
  retryAfterSeconds?: number;
}

/** A `{kind: "Status"}` object for a failed request. */
export function failureStatus(code: number, message: string, extras: StatusExtras = {}): object {
  const details =
    extras.retryAfterSeconds === undefined
      ? extras.details
      : { ...extras.details, retryAfterSeconds: extras.retryAfterSeconds };
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: extras.continueToken === undefined ? {} : { continue: extras.continueToken },
    status: 'Failure',
    message,
    reason: extras.reason ?? reasonFor(code),
    ...(details === undefined ? {} : { details }),
    code,
  };
}

/**
 * An error answered as an HTTP status with a Status body. The programmatic API throws it
 * too (e.g. create of an existing object: code 409, reason AlreadyExists).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: number;
  readonly extras: StatusExtras;
  constructor(code: number, message: string, extras: StatusExtras = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.extras = extras;
  }

  /** The Status body for this error. */
  toStatus(): object {
    return failureStatus(this.code, this.message, this.extras);
  }
}

/** 404 for an object, worded like the real server: `pods "web" not found`. */
export function notFound(resource: ServedResource, name: string): ApiError {
  return new ApiError(404, `${resource.qualifiedName} "${name}" not found`, {
    details: { name, group: resource.group, kind: resource.resource },
  });
}

/** 409 for a write that lost a race or names another object, worded like the real server. */
export function conflict(resource: ServedResource, name: string, why: string): ApiError {
  return new ApiError(409, `Operation cannot be fulfilled on ${resource.qualifiedName} "${name}": ${why}`, {
    details: { name, group: resource.group, kind: resource.resource },
  });
}
