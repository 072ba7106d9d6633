/**
 * Single-object GETs, for stores that hold references and fetch bodies on demand
 * (`store: on-demand`). The answer has the same shape as listed and watched objects.
 */
import { isKubeObject, type KubeObject } from '../../k8s.ts';
import { readBody, readJsonOrUndefined, type ApiClient } from '../../kube/index.ts';
import { resourcePath, type ResolvedResource } from './discovery.ts';
import { InvalidResponseError, statusError, type RequestContext } from './errors.ts';
import type { ApiStatus } from './lines.ts';
import { withTypeMeta } from './list.ts';

/**
 * GETs `path` and returns its JSON body; a non-2xx answer throws an ApiStatusError
 * described with `ctx`, a body that is not JSON an InvalidResponseError.
 */
export async function getJson(client: ApiClient, path: string, signal: AbortSignal, ctx: RequestContext): Promise<unknown> {
  const response = await client.request(path, new URLSearchParams(), { signal });
  if (response.status < 200 || response.status >= 300) {
    const body = (await readJsonOrUndefined(response)) as ApiStatus | undefined;
    throw statusError(response.status, body, response.headers['retry-after'], ctx);
  }
  const text = (await readBody(response.body)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidResponseError(`get ${path} answered invalid JSON (${text.length} characters)`, { resource: ctx.resource });
  }
}

/**
 * GETs one object of `target`; undefined when the server answers 404. Other failures
 * throw (ApiStatusError naming the verb and resource, or the network error).
 */
export async function fetchObject(
  client: ApiClient,
  target: ResolvedResource,
  ref: { resource: string; namespace: string; name: string },
  signal: AbortSignal,
): Promise<KubeObject | undefined> {
  const path = `${resourcePath(target, ref.namespace)}/${encodeURIComponent(ref.name)}`;
  const type = target.group === '' ? target.resource : `${target.group}/${target.resource}`;
  const what = `${type} ${target.namespaced && ref.namespace !== '' ? `${ref.namespace}/` : ''}${ref.name}`;
  try {
    const body = await getJson(client, path, signal, { verb: 'get', resource: ref.resource, what });
    if (!isKubeObject(body)) {
      throw new InvalidResponseError(`get ${path} answered something that is not an object`, { resource: ref.resource });
    }
    return withTypeMeta(body, target.apiVersion, target.kind);
  } catch (err) {
    if ((err as { status?: unknown }).status === 404) return undefined;
    throw err;
  }
}
