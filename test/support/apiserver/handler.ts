/**
 * The request pipeline: record, authenticate, route (discovery or resource), apply status
 * faults, check the verb, dispatch; every failure becomes a Status answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerContext } from './context.ts';
import { discover } from './discovery.ts';
import { sendError, sendJson } from './http.ts';
import { serveList } from './list.ts';
import { negotiate } from './media.ts';
import { serveCreate, serveDelete, serveGet, servePatch, serveUpdate } from './objects.ts';
import { serveReview } from './reviews.ts';
import { routeResource, verbOf, type ResourceRoute } from './router.ts';
import { ApiError } from './status.ts';
import { serveWatch } from './watch.ts';
import { logicalPath, WILDCARD } from './logical-clusters.ts';

/** Handles one HTTP request; never throws (failures are answered, unexpected ones recorded in ctx.errors). */
export function handleRequest(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://test-apiserver');
  ctx.requests.push({
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    at: ctx.now(),
    headers: req.headers,
  });
  dispatch(ctx, req, res, url).catch((error: unknown) => answerFailure(ctx, res, error));
}

async function dispatch(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  authenticate(ctx, req);
  const { scope, pathname, wildcard } = scoped(ctx, withoutPrefix(ctx, url.pathname));
  if (await serveReview(ctx, req, res, pathname)) return;
  const route = routeResource(ctx.registry, pathname);
  if (route === undefined) {
    serveDiscovery(ctx, req, res, pathname);
    return;
  }
  const verb = verbOf(req.method ?? 'GET', route, url.searchParams);
  if (ctx.faults.takeHang(route.resource, verb)) return;
  const fault = ctx.faults.statusFor(route.resource, verb);
  if (fault !== undefined) throw fault;
  if (!route.resource.verbs.includes(verb)) {
    throw new ApiError(405, `${route.resource.qualifiedName} does not support the "${verb}" verb`);
  }
  if (wildcard) await serveWildcard(ctx, res, route, verb, url.searchParams, req);
  else await serveResource(scope, req, res, route, verb, url.searchParams);
}

/** The context and path of a request: a kcp server's name a logical cluster (or the wildcard) first. */
function scoped(ctx: ServerContext, pathname: string): { scope: ServerContext; pathname: string; wildcard: boolean } {
  if (ctx.logical === undefined) return { scope: ctx, pathname, wildcard: false };
  const { cluster, rest } = logicalPath(pathname);
  if (cluster === WILDCARD) return { scope: ctx, pathname: rest, wildcard: true };
  return { scope: ctx.logical.contextOf(ctx, cluster), pathname: rest, wildcard: false };
}

/** A request to every logical cluster: LIST and WATCH only, as kcp serves them. */
async function serveWildcard(
  ctx: ServerContext,
  res: ServerResponse,
  route: ResourceRoute,
  verb: string,
  query: URLSearchParams,
  req: IncomingMessage,
): Promise<void> {
  const rep = negotiate(req.headers.accept);
  if (verb === 'list') return ctx.logical!.serveList(ctx, res, route, query, rep);
  if (verb === 'watch') return ctx.logical!.serveWatch(ctx, res, route, query, rep);
  throw new ApiError(400, `the wildcard logical cluster "${WILDCARD}" serves list and watch only, not "${verb}"`);
}

/** The path below the server's pathPrefix; ApiError 404 for a path outside it. */
function withoutPrefix(ctx: ServerContext, pathname: string): string {
  const prefix = ctx.settings.pathPrefix;
  if (prefix === '') return pathname;
  if (pathname.startsWith(`${prefix}/`)) return pathname.slice(prefix.length);
  throw new ApiError(404, `the server could not find the requested resource (${pathname} is outside ${prefix})`);
}

async function serveResource(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: ResourceRoute,
  verb: string,
  query: URLSearchParams,
): Promise<void> {
  const rep = negotiate(req.headers.accept);
  switch (verb) {
    case 'list':
      return serveList(ctx, res, route, query, rep);
    case 'watch':
      return serveWatch(ctx, res, route, query, rep);
    case 'get':
      return serveGet(ctx, res, route, rep);
    case 'create':
      return serveCreate(ctx, req, res, route);
    case 'update':
      return serveUpdate(ctx, req, res, route);
    case 'patch':
      return servePatch(ctx, req, res, route);
    case 'delete':
      return serveDelete(ctx, req, res, route);
    default:
      throw new ApiError(405, `the test server does not implement "${verb}"`);
  }
}

/** ApiError 401 when a token is configured and the request does not carry it. */
function authenticate(ctx: ServerContext, req: IncomingMessage): void {
  const token = ctx.settings.token;
  if (token !== undefined && req.headers.authorization !== `Bearer ${token}`) {
    throw new ApiError(401, 'Unauthorized');
  }
}

function serveDiscovery(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, pathname: string): void {
  if (req.method !== 'GET') throw new ApiError(405, 'the server does not allow this method on the requested resource');
  const answer = discover(ctx.registry, pathname, req.headers.host ?? '127.0.0.1');
  if (answer === undefined) throw new ApiError(404, 'the server could not find the requested resource');
  if ('text' in answer) {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(answer.text);
  } else {
    sendJson(res, 200, answer.json);
  }
}

/** Answers a failure as a Status; an unexpected error is also recorded as a server bug. */
function answerFailure(ctx: ServerContext, res: ServerResponse, error: unknown): void {
  const apiError =
    error instanceof ApiError
      ? error
      : new ApiError(500, `test server bug: ${(error as Error)?.message ?? String(error)}`, {}, { cause: error });
  if (!(error instanceof ApiError)) ctx.errors.push(error instanceof Error ? error : new Error(String(error)));
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendError(res, apiError);
}
