/**
 * The paginated LIST: pages of `limit` objects chained by `continue` tokens, every page at
 * the first page's resourceVersion (one consistent snapshot). Items come back with kind
 * and apiVersion set, so listed and watched objects have one shape.
 */
import { isKubeObject, type KubeObject } from '../../k8s.ts';
import type { ResolvedResource } from './discovery.ts';
import { InvalidResponseError } from './errors.ts';

/** What to list. */
export interface ListParams {
  /** "0" (any, cheap, from the API server's cache) or "" (consistent, most recent). */
  resourceVersion: string;
  pageSize: number;
  labelSelector: string;
  fieldSelector: string;
}

/** A complete list: every object and the snapshot's resourceVersion to watch from. */
export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
}

/** GETs one list page with `query` and returns its parsed JSON body. */
export type FetchPage = (query: URLSearchParams) => Promise<unknown>;

/**
 * Lists every object, page by page. A failing page (e.g. 410 for an expired continue
 * token) rejects the whole list; the caller starts over.
 */
export async function listAll(fetchPage: FetchPage, params: ListParams, target: ResolvedResource): Promise<ListResult> {
  const items: KubeObject[] = [];
  let resourceVersion: string | undefined;
  let token: string | undefined;
  do {
    const page = parseListPage(await fetchPage(listQuery(params, token)), target);
    resourceVersion ??= page.resourceVersion;
    for (const item of page.items) items.push(item);
    token = page.continue;
  } while (token);
  return { items, resourceVersion: resourceVersion ?? '' };
}

/** The query of one page: the first carries resourceVersion, later ones the continue token. */
export function listQuery(params: ListParams, token?: string): URLSearchParams {
  const query = new URLSearchParams({ limit: String(params.pageSize) });
  if (token) query.set('continue', token);
  else if (params.resourceVersion !== '') query.set('resourceVersion', params.resourceVersion);
  addSelectors(query, params);
  return query;
}

/** Adds labelSelector/fieldSelector when they are not empty (list and watch alike). */
export function addSelectors(query: URLSearchParams, selectors: { labelSelector: string; fieldSelector: string }): void {
  if (selectors.labelSelector !== '') query.set('labelSelector', selectors.labelSelector);
  if (selectors.fieldSelector !== '') query.set('fieldSelector', selectors.fieldSelector);
}

interface ListPage {
  items: KubeObject[];
  resourceVersion: string;
  continue: string | undefined;
}

interface RawList {
  kind?: unknown;
  apiVersion?: unknown;
  metadata?: { resourceVersion?: unknown; continue?: unknown };
  items?: unknown;
}

function parseListPage(body: unknown, target: ResolvedResource): ListPage {
  const list = (body ?? {}) as RawList;
  const resourceVersion = list.metadata?.resourceVersion;
  if (typeof resourceVersion !== 'string') {
    throw new InvalidResponseError(`list of ${target.resource} has no metadata.resourceVersion`);
  }
  const rawItems = list.items ?? [];
  if (!Array.isArray(rawItems)) throw new InvalidResponseError(`list of ${target.resource} has no items array`);
  const kind = typeof list.kind === 'string' && list.kind.endsWith('List') ? list.kind.slice(0, -4) : target.kind;
  const apiVersion = typeof list.apiVersion === 'string' ? list.apiVersion : target.apiVersion;
  const items = rawItems.map((item, i) => {
    if (!isKubeObject(item)) throw new InvalidResponseError(`list of ${target.resource}: item ${i} has no metadata.name`);
    return withTypeMeta(item, apiVersion, kind);
  });
  const token = typeof list.metadata?.continue === 'string' && list.metadata.continue !== '' ? list.metadata.continue : undefined;
  return { items, resourceVersion, continue: token };
}

/** `obj` with apiVersion and kind set (first, as the API server orders them) when missing. */
export function withTypeMeta(obj: KubeObject, apiVersion: string, kind: string): KubeObject {
  if (typeof obj.kind === 'string' && typeof obj.apiVersion === 'string') return obj;
  return { apiVersion, kind, ...obj };
}
