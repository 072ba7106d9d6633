/**
 * TokenReview and SubjectAccessReview, answered with logic of this server's own (written
 * without looking at how informant asks): tokens are registered by tests
 * (`server.identities.add(token, user)`), and access is decided from the ClusterRoles and
 * ClusterRoleBindings stored in the server like any object. Only what a non-resource
 * request needs is evaluated, as RBAC does it:
 * - a ClusterRoleBinding applies when a subject matches: `User` by name, `Group` by one
 *   of the user's groups, `ServiceAccount` as `system:serviceaccount:<namespace>:<name>`;
 * - its ClusterRole allows when a rule lists the verb (or `*`) and a nonResourceURLs
 *   entry equals the path, or ends in `*` and the path starts with what comes before it.
 * Resource attributes are refused (not implemented); every review is counted.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../../src/k8s.ts';
import type { ServerContext } from './context.ts';
import { readJsonBody, sendJson } from './http.ts';
import { ApiError } from './status.ts';

export const TOKEN_REVIEWS = '/apis/authentication.k8s.io/v1/tokenreviews';
export const ACCESS_REVIEWS = '/apis/authorization.k8s.io/v1/subjectaccessreviews';

/** A user a token stands for. */
export interface TestUser {
  username: string;
  uid?: string;
  groups?: string[];
}

/** The tokens the server knows, and how many reviews it answered. */
export class Identities {
  readonly #tokens = new Map<string, TestUser>();
  /** Reviews answered so far. */
  readonly counts = { tokenReviews: 0, accessReviews: 0 };

  /** Makes `token` authenticate as `user`. */
  add(token: string, user: TestUser): void {
    this.#tokens.set(token, user);
  }

  /** Forgets `token` (a revoked or expired token). */
  revoke(token: string): void {
    this.#tokens.delete(token);
  }

  user(token: string): TestUser | undefined {
    return this.#tokens.get(token);
  }
}

/** Answers POST tokenreviews and subjectaccessreviews; false for any other request. */
export async function serveReview(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
  if (pathname !== TOKEN_REVIEWS && pathname !== ACCESS_REVIEWS) return false;
  if (req.method !== 'POST') throw new ApiError(405, 'reviews can only be created');
  const review = (await readJsonBody(req)) as { spec?: Record<string, unknown> };
  const spec = review?.spec ?? {};
  if (pathname === TOKEN_REVIEWS) {
    ctx.identities.counts.tokenReviews++;
    const user = typeof spec.token === 'string' ? ctx.identities.user(spec.token) : undefined;
    const status = user ? { authenticated: true, user } : { authenticated: false, error: 'invalid bearer token' };
    sendJson(res, 201, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec, status });
    return true;
  }
  ctx.identities.counts.accessReviews++;
  const allowed = allows(ctx, spec);
  const status = allowed ? { allowed: true, reason: `allowed by ClusterRoleBinding "${allowed}"` } : { allowed: false };
  sendJson(res, 201, { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec, status });
  return true;
}

/** The name of the binding that allows the review's request, or undefined. */
function allows(ctx: ServerContext, spec: Record<string, unknown>): string | undefined {
  const request = spec.nonResourceAttributes as { path?: unknown; verb?: unknown } | undefined;
  if (spec.resourceAttributes !== undefined || typeof request?.path !== 'string' || typeof request.verb !== 'string') {
    throw new ApiError(422, 'this test server reviews nonResourceAttributes {path, verb} only');
  }
  const user = { name: String(spec.user ?? ''), groups: Array.isArray(spec.groups) ? spec.groups.map(String) : [] };
  const roles = new Map(objects(ctx, 'clusterroles').map((role) => [role.metadata.name, role]));
  for (const binding of objects(ctx, 'clusterrolebindings')) {
    const roleRef = binding.roleRef as { kind?: string; name?: string } | undefined;
    if (roleRef?.kind !== 'ClusterRole' || !subjects(binding).some((s) => matchesSubject(s, user))) continue;
    const role = roles.get(roleRef.name ?? '');
    if (role && rules(role).some((rule) => grants(rule, request.path as string, request.verb as string))) return binding.metadata.name;
  }
  return undefined;
}

type Subject = { kind?: string; name?: string; namespace?: string };
type Rule = { nonResourceURLs?: string[]; verbs?: string[] };

function objects(ctx: ServerContext, resource: string): KubeObject[] {
  const served = ctx.registry.byPath('rbac.authorization.k8s.io', 'v1', resource);
  return served === undefined ? [] : ctx.state.of(served).current().map((stored) => stored.toObject(served));
}

function subjects(binding: KubeObject): Subject[] {
  return Array.isArray(binding.subjects) ? (binding.subjects as Subject[]) : [];
}

function rules(role: KubeObject): Rule[] {
  return Array.isArray(role.rules) ? (role.rules as Rule[]) : [];
}

function matchesSubject(subject: Subject, user: { name: string; groups: string[] }): boolean {
  if (subject.kind === 'User') return subject.name === user.name;
  if (subject.kind === 'Group') return user.groups.includes(subject.name ?? '');
  if (subject.kind === 'ServiceAccount') return user.name === `system:serviceaccount:${subject.namespace}:${subject.name}`;
  return false;
}

function grants(rule: Rule, path: string, verb: string): boolean {
  const verbs = rule.verbs ?? [];
  if (!verbs.includes(verb) && !verbs.includes('*')) return false;
  return (rule.nonResourceURLs ?? []).some((url) => (url.endsWith('*') ? path.startsWith(url.slice(0, -1)) : url === path));
}
