/**
 * The failure of the API connection itself: a kubeconfig that cannot be found, read or
 * used (no such context, a context without a cluster, credentials its authenticator
 * cannot produce). HTTP answers of the API server are the callers' to interpret.
 */

/** The kubeconfig (or what it names) cannot be used; the message names the file or context. */
export class KubeconfigError extends Error {
  override readonly name = 'KubeconfigError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
  }
}

/** A request to the API server that failed: the HTTP status when there was an answer. Callers subclass it per request kind. */
export class ApiRequestError extends Error {
  readonly status: number | undefined;
  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.status = options.status;
  }
}
