/**
 * Joins on-demand stores to their source: the Fetcher a CachedStore loads bodies with is
 * the source's single-object read, checked against the config's limits, with the
 * resource's remove_fields applied, and the
 * Kubernetes source watches such resources as metadata only when their index keys allow.
 */
import type { WatchedResourceConfig } from '../config/types.ts';
import { FieldStripper } from '../indexer/index.ts';
import { parsePath } from '../path/index.ts';
import { formatIdentity } from '../k8s.ts';
import type { Fetcher } from '../store/index.ts';
import { canFetch, WatchError, type Source } from '../watcher/index.ts';
import { limitProblem, type ObjectLimits } from '../watcher/object-limits.ts';

/** The store type whose objects are fetched on demand. */
export const ON_DEMAND = 'on-demand';

/**
 * A Fetcher reading objects of `resource` from `source`, stripped of the resource's
 * remove_fields as the indexer strips watched objects; undefined when the source cannot
 * read single objects.
 */
export function sourceFetcher(source: Source, resource: WatchedResourceConfig, limits: ObjectLimits): Fetcher | undefined {
  if (!canFetch(source)) return undefined;
  const stripper = new FieldStripper(resource.removeFields);
  return {
    fetch: async (id, signal) => {
      const obj = await source.fetch(resource.name, id, signal);
      if (obj === undefined) return undefined;
      const problem = limitProblem(obj, limits);
      if (problem !== undefined) {
        const what = formatIdentity(id.cluster, id.namespace, id.name);
        throw new WatchError(`fetch ${resource.name} ${what}: refused: ${problem}`, { resource: resource.name });
      }
      return stripper.strip(obj);
    },
  };
}

/**
 * The on-demand resources of `resources` a Kubernetes source can watch as metadata only
 * (PartialObjectMetadata): those whose every index_by expression reads metadata (or
 * apiVersion/kind). The others are watched in full, and their store drops each body
 * right after its index key is read.
 */
export function metadataOnlyResources(resources: readonly WatchedResourceConfig[]): string[] {
  return resources.filter((r) => r.store === ON_DEMAND && r.indexBy.every(readsMetadata)).map((r) => r.name);
}

const METADATA_FIELDS: ReadonlySet<string> = new Set(['metadata', 'apiVersion', 'kind']);

function readsMetadata(expr: string): boolean {
  const first = parsePath(expr).segments[0];
  return first?.kind === 'key' && METADATA_FIELDS.has(first.key);
}
