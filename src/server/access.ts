/**
 * Who may read an endpoint. With `server.auth: kubernetes`, /metrics and /debug/ are for
 * callers whose bearer token the API server accepts (TokenReview) and whose RBAC allows
 * the request's path and verb (SubjectAccessReview with nonResourceAttributes: a
 * `nonResourceURLs` rule grants it), as controller-runtime's metrics filter does. Probes
 * are never checked: the kubelet sends no token.
 *
 * Answers are cached, as controller-runtime caches them (an accepted token 1 min, an
 * allowed request 5 min, a refused one 30 s), in bounded LRU caches keyed by a hash of
 * the token (the token itself is never kept), so a Prometheus scrape every 15 s costs the
 * API server two requests every few minutes. Concurrent checks of one token share one
 * review. A review the API server cannot answer is not cached and answers 500.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { reviewAccess, reviewToken, type JsonSender, type NonResourceAttributes, type ReviewedUser } from '../kube/index.ts';

/** What a request asks for, as access is decided on it. */
export interface AccessRequest {
  /** The bearer token of the Authorization header, if any. */
  token: string | undefined;
  /** The URL path, e.g. "/metrics" or "/debug/stores/ingresses". */
  path: string;
  /** The HTTP method in lower case ("get"), as Kubernetes names non-resource verbs. */
  verb: string;
}

/** The answer: allowed, or the HTTP status and reason to refuse with. */
export type AccessDecision =
  | { readonly allowed: true; readonly user?: string }
  | { readonly allowed: false; readonly status: 401 | 403 | 500; readonly reason: string };

/** Decides whether a request may be served. Never rejects. */
export type AccessCheck = (request: AccessRequest) => Promise<AccessDecision>;

/** `server.auth: none`: everyone may read everything. */
export const allowEveryone: AccessCheck = () => Promise.resolve({ allowed: true });

/** Defaults of kubernetesAccess (controller-runtime's, see the module comment). */
export const DEFAULTS = Object.freeze({
  /** How long an accepted token is trusted without asking again (ms): 1 min. */
  authenticatedTtlMs: 60_000,
  /** How long a token the API server refused stays refused (ms): 30 s, so bad tokens cannot make us flood the API server. */
  unauthenticatedTtlMs: 30_000,
  /** How long an allowed request stays allowed (ms): 5 min. */
  allowedTtlMs: 5 * 60_000,
  /** How long a refused request stays refused (ms): 30 s, so a new RoleBinding works soon. */
  deniedTtlMs: 30_000,
  /** Entries per cache: tokens, and (user, path, verb) answers. Bounds memory whatever callers send. */
  maxEntries: 1_024,
  /** One review may take this long (ms), as controller-runtime allows. */
  reviewTimeoutMs: 10_000,
});

/** How to build a kubernetesAccess check. */
export interface KubernetesAccessOptions {
  /** The API server to ask (an HttpApiClient of the cluster informant runs in). */
  sender: JsonSender;
  /** The clock of the caches, in ms; default performance.now. */
  now?: () => number;
}

/** A token's review: the user, or undefined when the API server refused the token. */
type TokenAnswer = { user: ReviewedUser | undefined };

/** The AccessCheck of `server.auth: kubernetes` (see the module comment). */
export function kubernetesAccess(options: KubernetesAccessOptions): AccessCheck {
  // ttlResolution 0: read the clock on every check (a cached reading would outlive a fake clock's jump).
  const perf = { ttlResolution: 0, ...(options.now ? { perf: { now: options.now } } : {}) };
  const users = new LRUCache<string, TokenAnswer, string>({
    max: DEFAULTS.maxEntries,
    ...perf,
    fetchMethod: async (_key, _stale, { context: token, options: entry }) => {
      const user = await reviewToken(options.sender, token, AbortSignal.timeout(DEFAULTS.reviewTimeoutMs));
      entry.ttl = user ? DEFAULTS.authenticatedTtlMs : DEFAULTS.unauthenticatedTtlMs;
      return { user };
    },
  });
  const answers = new LRUCache<string, { allowed: boolean; reason?: string }, { user: ReviewedUser; attributes: NonResourceAttributes }>({
    max: DEFAULTS.maxEntries,
    ...perf,
    fetchMethod: async (_key, _stale, { context, options: entry }) => {
      const answer = await reviewAccess(options.sender, context.user, context.attributes, AbortSignal.timeout(DEFAULTS.reviewTimeoutMs));
      entry.ttl = answer.allowed ? DEFAULTS.allowedTtlMs : DEFAULTS.deniedTtlMs;
      return answer;
    },
  });
  return async ({ token, path, verb }) => {
    if (token === undefined || token === '') return refuse(401, 'this endpoint needs a bearer token (Authorization: Bearer <token>)');
    try {
      const { user } = (await users.fetch(hash(token), { context: token }))!;
      if (user === undefined) return refuse(401, 'the API server did not accept the bearer token');
      const attributes = { path, verb };
      const key = JSON.stringify([user.username, user.uid ?? '', user.groups ?? [], path, verb]);
      const answer = (await answers.fetch(key, { context: { user, attributes } }))!;
      if (answer.allowed) return { allowed: true, user: user.username };
      const why = answer.reason ? `: ${answer.reason}` : '';
      return refuse(403, `${user.username} may not ${verb} ${path} (grant it with a nonResourceURLs rule; \`informant rbac\` prints one)${why}`);
    } catch (err) {
      return refuse(500, `cannot check access with the API server: ${(err as Error).message}`);
    }
  };
}

function refuse(status: 401 | 403 | 500, reason: string): AccessDecision {
  return { allowed: false, status, reason };
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
