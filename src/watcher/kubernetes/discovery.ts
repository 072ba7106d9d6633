/**
 * API discovery: maps a configured api_version + kind (or resource) to the plural resource
 * name, its namespaced-ness and verbs, from the server's APIResourceList
 * (`/api/v1`, `/apis/<group>/<version>`). Results are cached per group/version.
 */
import type { WatchedResourceConfig } from '../../config/types.ts';
import { editDistance } from '../../text/edit-distance.ts';
import { ApiStatusError, UnknownResourceError } from './errors.ts';

/** A watched resource as the API server knows it. */
export interface ResolvedResource {
  /** API group; "" for the core group. */
  group: string;
  version: string;
  /** "v1" or "group/version". */
  apiVersion: string;
  /** Plural resource name, e.g. "ingresses". */
  resource: string;
  kind: string;
  namespaced: boolean;
  verbs: readonly string[];
}

/** An entry of an APIResourceList. */
interface ApiResourceEntry {
  name: string;
  singularName?: string;
  namespaced: boolean;
  kind: string;
  verbs?: string[];
}

/** GETs a discovery path and returns the parsed JSON body (errors are thrown as WatchErrors). */
export type FetchJson = (path: string) => Promise<unknown>;

/** What discovery needs from a watched resource's config. */
export type ResourceQuery = Pick<WatchedResourceConfig, 'name' | 'apiVersion' | 'kind' | 'resource'>;

/**
 * Resolves watched resources against the server's discovery documents. One instance is
 * shared by every reflector of a source, so each group/version is fetched once.
 */
export class Discovery {
  readonly #lists = new Map<string, ApiResourceEntry[]>();

  /**
   * Resolves `query` to a served resource. Throws UnknownResourceError naming the
   * api_version and kind (with close matches) when the server does not serve it, or when it
   * cannot be listed and watched; other request failures propagate from `fetch`.
   */
  async resolve(query: ResourceQuery, fetch: FetchJson): Promise<ResolvedResource> {
    const { group, version } = splitApiVersion(query.apiVersion);
    const entries = await this.#entries(query, fetch);
    let entry: ApiResourceEntry;
    try {
      entry = findEntry(query, entries);
    } catch (err) {
      this.#lists.delete(query.apiVersion); // a CRD may be installed before the next try
      throw err;
    }
    const verbs = entry.verbs ?? [];
    if (entry.verbs && !(verbs.includes('list') && verbs.includes('watch'))) {
      throw new UnknownResourceError(
        `${query.apiVersion} ${entry.name} cannot be watched: the server allows only ${verbs.join(',') || 'no verbs'}`,
        { resource: query.name },
      );
    }
    const { name: resource, kind, namespaced } = entry;
    return { group, version, apiVersion: query.apiVersion, resource, kind, namespaced, verbs };
  }

  /** Forgets cached discovery documents (e.g. after CRDs changed). */
  clear(): void {
    this.#lists.clear();
  }

  async #entries(query: ResourceQuery, fetch: FetchJson): Promise<ApiResourceEntry[]> {
    const cached = this.#lists.get(query.apiVersion);
    if (cached) return cached;
    let body: unknown;
    try {
      body = await fetch(groupVersionPath(query.apiVersion));
    } catch (err) {
      if (err instanceof ApiStatusError && err.status === 404) {
        throw new UnknownResourceError(
          `api_version ${query.apiVersion} is not served by the API server (is the CRD installed?)`,
          { resource: query.name, status: 404, cause: err },
        );
      }
      throw err;
    }
    const entries = parseResourceList(body).filter((entry) => !entry.name.includes('/'));
    this.#lists.set(query.apiVersion, entries);
    return entries;
  }
}

/** "networking.k8s.io/v1" → { group, version }; "v1" → core group. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  if (slash === -1) return { group: '', version: apiVersion };
  return { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The discovery document's path for an api_version: /api/v1 or /apis/<group>/<version>. */
export function groupVersionPath(apiVersion: string): string {
  const { group, version } = splitApiVersion(apiVersion);
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

/** The collection path to list and watch, in one namespace or ("" / cluster-scoped) across all. */
export function resourcePath(target: ResolvedResource, namespace: string): string {
  const base = groupVersionPath(target.apiVersion);
  const scope = target.namespaced && namespace !== '' ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${scope}/${target.resource}`;
}

/** "networking.k8s.io/ingresses in all namespaces", "pods in namespace "web"", "namespaces". */
export function describeTarget(target: ResolvedResource, namespace: string): string {
  const name = target.group === '' ? target.resource : `${target.group}/${target.resource}`;
  if (!target.namespaced) return name;
  return namespace === '' ? `${name} in all namespaces` : `${name} in namespace "${namespace}"`;
}

function parseResourceList(body: unknown): ApiResourceEntry[] {
  const resources = (body as { resources?: unknown } | undefined)?.resources;
  if (!Array.isArray(resources)) return [];
  return resources.filter(
    (r): r is ApiResourceEntry => typeof r?.name === 'string' && typeof r?.kind === 'string',
  ).map((r) => ({ ...r, namespaced: r.namespaced === true }));
}

function findEntry(query: ResourceQuery, entries: ApiResourceEntry[]): ApiResourceEntry {
  const found = query.resource !== undefined
    ? entries.find((e) => e.name === query.resource)
    : entries.find((e) => e.kind === query.kind);
  if (found && query.resource !== undefined && query.kind !== undefined && found.kind !== query.kind) {
    throw new UnknownResourceError(
      `${query.apiVersion} resource ${query.resource} has kind ${found.kind}, not ${query.kind}`,
      { resource: query.name },
    );
  }
  if (found) return found;
  throw new UnknownResourceError(unknownMessage(query, entries), { resource: query.name });
}

function unknownMessage(query: ResourceQuery, entries: ApiResourceEntry[]): string {
  const wanted = query.resource !== undefined ? `resource ${query.resource}` : `kind ${query.kind ?? '(none)'}`;
  const names = entries.map((e) => (query.resource !== undefined ? e.name : e.kind));
  const close = closeMatches(query.resource ?? query.kind ?? '', names);
  const hint = close.length > 0 ? `; did you mean ${close.join(' or ')}?` : '';
  return `api_version ${query.apiVersion} has no ${wanted}${hint}`;
}

/**
 * Names equal to `wanted` ignoring case or within a small edit distance (≤ 2, less for
 * short names); failing those, names starting with it. At most 3, closest first.
 */
export function closeMatches(wanted: string, names: readonly string[]): string[] {
  const lower = wanted.toLowerCase();
  const unique = [...new Set(names)];
  const limit = Math.min(2, Math.floor(lower.length / 3));
  const scored = unique.map((name) => ({ name, distance: editDistance(lower, name.toLowerCase()) }));
  let close = scored.filter((s) => s.distance <= limit);
  if (close.length === 0 && lower.length >= 3) close = scored.filter((s) => s.name.toLowerCase().startsWith(lower));
  return close.sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name)).slice(0, 3).map((s) => s.name);
}
