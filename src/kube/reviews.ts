/**
 * Asking the API server who a bearer token belongs to (TokenReview) and whether that user
 * may do something (SubjectAccessReview): how a server in a cluster delegates its
 * authentication and authorization to Kubernetes, as controller-runtime's metrics filter
 * and kube-rbac-proxy do. The calling identity needs `create` on tokenreviews
 * (authentication.k8s.io) and subjectaccessreviews (authorization.k8s.io).
 */
import { readBody, readJsonOrUndefined, type ApiResponse, type JsonSender } from './client.ts';
import { ApiRequestError } from './errors.ts';

/** An authenticated user, as a TokenReview describes it. */
export interface ReviewedUser {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** A non-resource request (a URL path and an HTTP verb in lower case), as RBAC's nonResourceURLs rules grant it. */
export interface NonResourceAttributes {
  path: string;
  verb: string;
}

/** A review the API server could not answer (a network error, a 403 for informant itself, a 5xx). */
export class ReviewError extends ApiRequestError {
  override readonly name = 'ReviewError';
}

const PATHS = Object.freeze({
  tokenReviews: '/apis/authentication.k8s.io/v1/tokenreviews',
  subjectAccessReviews: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
});

/** The user `token` authenticates as, or undefined when the API server does not accept it. Rejects with a ReviewError. */
export async function reviewToken(sender: JsonSender, token: string, signal: AbortSignal): Promise<ReviewedUser | undefined> {
  const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } };
  const status = (await post(sender, PATHS.tokenReviews, body, signal, 'tokenreviews')) as {
    authenticated?: unknown;
    user?: Partial<ReviewedUser>;
  };
  if (status.authenticated !== true || typeof status.user?.username !== 'string') return undefined;
  const { username, uid, groups, extra } = status.user;
  return { username, ...(uid ? { uid } : {}), ...(Array.isArray(groups) ? { groups } : {}), ...(extra ? { extra } : {}) };
}

/** Whether `user` may make the non-resource request `attributes`. Rejects with a ReviewError. */
export async function reviewAccess(
  sender: JsonSender,
  user: ReviewedUser,
  attributes: NonResourceAttributes,
  signal: AbortSignal,
): Promise<{ allowed: boolean; reason?: string }> {
  const spec = { user: user.username, uid: user.uid, groups: user.groups, extra: user.extra, nonResourceAttributes: attributes };
  const body = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec };
  const status = (await post(sender, PATHS.subjectAccessReviews, body, signal, 'subjectaccessreviews')) as {
    allowed?: unknown;
    reason?: unknown;
  };
  return { allowed: status.allowed === true, ...(typeof status.reason === 'string' && status.reason !== '' ? { reason: status.reason } : {}) };
}

/** POSTs a review and returns its `status`; a ReviewError for anything but a 2xx with a JSON body. */
async function post(sender: JsonSender, path: string, body: unknown, signal: AbortSignal, resource: string): Promise<Record<string, unknown>> {
  let response: ApiResponse;
  try {
    response = await sender.send(path, { method: 'POST', body, signal });
  } catch (err) {
    throw new ReviewError(`create ${resource}: ${(err as Error).message}`, { cause: err });
  }
  if (response.status < 200 || response.status >= 300) {
    const answer = (await readJsonOrUndefined(response)) as { message?: unknown } | undefined;
    const detail = typeof answer?.message === 'string' ? `: ${answer.message}` : '';
    const hint = response.status === 403 ? ` (grant create on ${resource})` : '';
    throw new ReviewError(`create ${resource} answered ${response.status}${hint}${detail}`, { status: response.status });
  }
  try {
    const review = JSON.parse((await readBody(response.body)).toString('utf8')) as { status?: unknown };
    return review.status !== null && typeof review.status === 'object' ? (review.status as Record<string, unknown>) : {};
  } catch (err) {
    throw new ReviewError(`create ${resource} answered invalid JSON`, { status: response.status, cause: err });
  }
}
