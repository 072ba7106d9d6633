/**
 * Single-object requests: GET, POST (create), PUT (update, with optimistic concurrency on
 * metadata.resourceVersion), PATCH (JSON merge patch) and DELETE (with preconditions).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isKubeObject, type KubeObject } from '../../../src/k8s.ts';
import type { ServerContext } from './context.ts';
import { readJsonBody, sendJson } from './http.ts';
import { typedParts, type Representation } from './media.ts';
import type { ServedResource } from './resources.ts';
import type { ResourceRoute } from './router.ts';
import { ApiError, conflict, notFound } from './status.ts';
import { objectKey, type StoredObject } from './stored-object.ts';

const STALE = 'the object has been modified; please apply your changes to the latest version and try again';
const GENERATED_NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
const GENERATED_NAME_LENGTH = 5;
const MERGE_PATCH_TYPES = new Set(['application/merge-patch+json', 'application/strategic-merge-patch+json']);

/** The part of a DELETE body (DeleteOptions) the server honours. */
interface DeleteOptions {
  preconditions?: { uid?: unknown; resourceVersion?: unknown };
}

/** The stored object a route names; ApiError 404 when absent. */
function existing(ctx: ServerContext, route: ResourceRoute): StoredObject {
  const obj = ctx.state.of(route.resource).get(objectKey(route.namespace ?? '', route.name!));
  if (obj === undefined) throw notFound(route.resource, route.name!);
  return obj;
}

/** Answers GET of one object. */
export function serveGet(ctx: ServerContext, res: ServerResponse, route: ResourceRoute, rep: Representation): void {
  sendJson(res, 200, typedParts(rep, route.resource, existing(ctx, route)).join(''));
}

/** Reads the body as an object of the route's resource, with the path's namespace applied. */
async function bodyObject(req: IncomingMessage, route: ResourceRoute): Promise<KubeObject> {
  const body = await readJsonBody(req);
  const withMeta = body !== null && typeof body === 'object' && !Array.isArray(body) && 'metadata' in body;
  if (!withMeta) throw new ApiError(400, `the body is not a ${route.resource.kind} object with metadata`);
  const obj = body as KubeObject;
  if (obj.kind !== undefined && obj.kind !== route.resource.kind) {
    const { version, kind } = route.resource;
    throw new ApiError(400, `${obj.kind} in version "${version}" cannot be handled as a ${kind}`);
  }
  return withPathNamespace(obj, route);
}

/** The object with the path's namespace; ApiError 400 when the body names another one. */
function withPathNamespace(obj: KubeObject, route: ResourceRoute): KubeObject {
  if (!route.resource.namespaced) return obj;
  if (route.namespace === undefined) throw new ApiError(404, 'the server could not find the requested resource');
  const namespace = obj.metadata.namespace;
  if (namespace !== undefined && namespace !== '' && namespace !== route.namespace) {
    throw new ApiError(400, 'the namespace of the provided object does not match the namespace sent on the request');
  }
  return { ...obj, metadata: { ...obj.metadata, namespace: route.namespace } };
}

/** ApiError 400 when the body names another object than the URL. */
function checkName(obj: KubeObject, route: ResourceRoute): void {
  if (obj.metadata.name !== route.name) {
    const name = String(obj.metadata.name);
    throw new ApiError(400, `the name of the object (${name}) does not match the name on the URL (${route.name})`);
  }
}

/** Answers POST to a collection: 201 with the created object, 409 AlreadyExists. */
export async function serveCreate(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: ResourceRoute,
): Promise<void> {
  const obj = await bodyObject(req, route);
  const generateName = obj.metadata.generateName;
  if ((obj.metadata.name ?? '') === '' && typeof generateName === 'string' && generateName !== '') {
    obj.metadata = { ...obj.metadata, name: generateName + randomSuffix(ctx.random) };
  }
  const { uid: _uid, resourceVersion: _rv, creationTimestamp: _ts, ...metadata } = obj.metadata;
  sendJson(res, 201, ctx.state.create(route.resource, { ...obj, metadata }));
}

/** Answers PUT of an object: 200, 404 when absent, 409 when metadata.resourceVersion is stale. */
export async function serveUpdate(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: ResourceRoute,
): Promise<void> {
  const obj = await bodyObject(req, route);
  checkName(obj, route);
  checkPreconditions(route.resource, existing(ctx, route), obj.metadata.uid, obj.metadata.resourceVersion);
  sendJson(res, 200, ctx.state.update(route.resource, obj));
}

/** Answers PATCH with a JSON merge patch (strategic merge patches are applied as merge patches). */
export async function servePatch(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: ResourceRoute,
): Promise<void> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
  if (!MERGE_PATCH_TYPES.has(type)) throw new ApiError(415, `the server does not support patch type "${type}"`);
  const patch = await readJsonBody(req);
  const current = existing(ctx, route);
  const patchMeta = (patch as { metadata?: { uid?: unknown; resourceVersion?: unknown } } | null)?.metadata;
  checkPreconditions(route.resource, current, patchMeta?.uid, patchMeta?.resourceVersion);
  const merged = mergePatch(current.toObject(route.resource), patch);
  if (!isKubeObject(merged)) throw new ApiError(422, 'the patch removes metadata.name');
  checkName(merged, route);
  const { resourceVersion: _rv, ...metadata } = withPathNamespace(merged, route).metadata;
  sendJson(res, 200, ctx.state.update(route.resource, { ...merged, metadata: metadata as KubeObject['metadata'] }));
}

/** Answers DELETE: 200 with a Success Status, 404 when absent, 409 when a precondition fails. */
export async function serveDelete(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  route: ResourceRoute,
): Promise<void> {
  const body = await readOptionalBody(req);
  const current = existing(ctx, route);
  const preconditions = (body as DeleteOptions | undefined)?.preconditions;
  checkPreconditions(route.resource, current, preconditions?.uid, preconditions?.resourceVersion);
  ctx.state.delete(route.resource, current.namespace, current.name);
  sendJson(res, 200, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: current.name, group: route.resource.group, kind: route.resource.resource, uid: current.uid },
  });
}

/** A DELETE body (DeleteOptions) when there is one. */
async function readOptionalBody(req: IncomingMessage): Promise<unknown> {
  const length = req.headers['content-length'];
  if (length === '0' || (length === undefined && req.headers['transfer-encoding'] === undefined)) return undefined;
  return readJsonBody(req);
}

/** ApiError 409 when a given uid or resourceVersion is not the stored one. */
function checkPreconditions(resource: ServedResource, current: StoredObject, uid: unknown, rv: unknown): void {
  if (uid !== undefined && uid !== '' && uid !== current.uid) {
    const why = `Precondition failed: UID in precondition: ${String(uid)}, UID in object meta: ${current.uid}`;
    throw conflict(resource, current.name, why);
  }
  if (rv !== undefined && rv !== '' && rv !== String(current.rv)) throw conflict(resource, current.name, STALE);
}

/** RFC 7386 JSON merge patch: objects merge recursively, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const base = target !== null && typeof target === 'object' && !Array.isArray(target) ? target : {};
  const result: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** The random suffix of a generateName. */
function randomSuffix(random: () => number): string {
  let suffix = '';
  for (let i = 0; i < GENERATED_NAME_LENGTH; i++) {
    suffix += GENERATED_NAME_CHARS[Math.floor(random() * GENERATED_NAME_CHARS.length)];
  }
  return suffix;
}
