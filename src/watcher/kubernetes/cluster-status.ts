/**
 * One watched resource's status across the clusters it is watched in.
 */
import type { ClusterWatchStatus, ResourceWatchStatus, WatchProblem } from '../index.ts';

/**
 * The status of `resource` from its status per cluster: synced once synced in every
 * cluster; the latest problem of any cluster, its message prefixed with
 * `cluster "<name>": ` (so the sync timeout and /readyz name the cluster); and the
 * per-cluster states themselves.
 */
export function combineStatus(resource: string, clusters: readonly ClusterWatchStatus[]): ResourceWatchStatus {
  const perCluster = clusters.map(({ cluster, synced, lastProblem }) => ({ cluster, synced, ...(lastProblem ? { lastProblem } : {}) }));
  const status: ResourceWatchStatus = { resource, synced: clusters.every((c) => c.synced), clusters: perCluster };
  const latest = latestProblem(clusters);
  if (latest !== undefined) status.lastProblem = latest;
  return status;
}

function latestProblem(clusters: readonly ClusterWatchStatus[]): WatchProblem | undefined {
  let latest: { cluster: string; problem: WatchProblem } | undefined;
  for (const { cluster, lastProblem } of clusters) {
    if (lastProblem === undefined) continue;
    if (latest === undefined || lastProblem.at > latest.problem.at) latest = { cluster, problem: lastProblem };
  }
  if (latest === undefined) return undefined;
  return { ...latest.problem, message: `cluster "${latest.cluster}": ${latest.problem.message}` };
}
