/**
 * Request routing: which resource, namespace and object a path names, and which verb a
 * method plus query amounts to.
 */
import type { ResourceRegistry, ServedResource } from './resources.ts';
import { ApiError } from './status.ts';

/** A request for a resource collection or one object. */
export interface ResourceRoute {
  resource: ServedResource;
  /** The namespace in the path; undefined for cluster-wide or cluster-scoped paths. */
  namespace?: string;
  /** The object name; undefined for the collection. */
  name?: string;
}

/**
 * Parses /api/v1/... and /apis/{group}/{version}/... resource paths:
 * `{resource}`, `{resource}/{name}` (cluster-scoped), `namespaces/{ns}/{resource}[/{name}]`.
 * Returns undefined for anything else (discovery, unknown resources, subresources).
 */
export function routeResource(registry: ResourceRegistry, pathname: string): ResourceRoute | undefined {
  const segments = pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 3) {
    [group, version, rest] = ['', segments[1]!, segments.slice(2)];
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    [group, version, rest] = [segments[1]!, segments[2]!, segments.slice(3)];
  } else {
    return undefined;
  }
  if (rest[0] === 'namespaces' && rest.length >= 3 && rest.length <= 4) {
    const resource = registry.byPath(group, version, rest[2]!);
    if (resource === undefined || !resource.namespaced) return undefined;
    return { resource, namespace: rest[1]!, ...(rest[3] === undefined ? {} : { name: rest[3] }) };
  }
  if (rest.length > 2) return undefined;
  const resource = registry.byPath(group, version, rest[0]!);
  if (resource === undefined || (rest.length === 2 && resource.namespaced)) return undefined;
  return { resource, ...(rest[1] === undefined ? {} : { name: rest[1] }) };
}

/** The verbs a resource request can be. */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** The verb of a request on a route; ApiError 405 for a method the route cannot take. */
export function verbOf(method: string, route: ResourceRoute, query: URLSearchParams): Verb {
  const watch = query.get('watch') === 'true' || query.get('watch') === '1';
  const onObject = route.name !== undefined;
  switch (method) {
    case 'GET':
      return watch ? 'watch' : onObject ? 'get' : 'list';
    case 'POST':
      if (!onObject) return 'create';
      break;
    case 'PUT':
      if (onObject) return 'update';
      break;
    case 'PATCH':
      if (onObject) return 'patch';
      break;
    case 'DELETE':
      return onObject ? 'delete' : 'deletecollection';
  }
  throw new ApiError(405, `the server does not allow this method on the requested resource`);
}
