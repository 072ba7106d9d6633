/**
 * The per-resource part of the status snapshot: sync state, stuck reason, store size,
 * missing index keys, cache and watch counters, gathered from the pipeline's stages.
 */
import type { Config } from '../config/types.ts';
import { isOnDemandStore } from '../store/index.ts';
import type { Pipeline } from './pipeline.ts';
import type { ResourceState } from './status.ts';
import type { SyncBarrier } from './sync-barrier.ts';

/** One ResourceState per watched resource of `config`, in config order. */
export function resourceStates(config: Config, pipeline: Pipeline, barrier: SyncBarrier): ResourceState[] {
  const stuck = new Map(barrier.stuck().map((entry) => [entry.resource, entry]));
  const sourceStatus = new Map(pipeline.status().map((status) => [status.resource, status]));
  const watchStats = Map.groupBy(pipeline.stats(), (stats) => stats.resource);
  return config.watchedResources.flatMap((resource): ResourceState[] => {
    const store = pipeline.stores.get(resource.name);
    const indexer = pipeline.indexers.get(resource.name);
    if (!store || !indexer) return [];
    const missing = indexer.stats();
    const state: ResourceState = {
      resource: resource.name,
      store: resource.store,
      synced: indexer.isSynced,
      ...(resource.optional ? { optional: true as const } : {}),
      size: store.size(),
      missingKeys: { total: missing.missingKeys, current: missing.missing },
    };
    const stuckEntry = stuck.get(resource.name);
    if (stuckEntry && !indexer.isSynced) {
      state.stuck = { reason: stuckEntry.reason, message: stuckEntry.message, waitingMs: stuckEntry.waitingMs };
    }
    const problem = sourceStatus.get(resource.name)?.lastProblem;
    if (problem) state.problem = problem;
    const clusters = sourceStatus.get(resource.name)?.clusters;
    if (clusters) state.clusters = clusters;
    const sharedWith = sourceStatus.get(resource.name)?.sharedWith;
    if (sharedWith) state.sharedWith = sharedWith;
    if (isOnDemandStore(store)) {
      state.cache = store.stats();
    }
    const watch = watchStats.get(resource.name) ?? [];
    if (watch.some((stats) => stats.cluster !== undefined)) state.watchByCluster = watch;
    else if (watch[0]) state.watch = watch[0];
    return [state];
  });
}
