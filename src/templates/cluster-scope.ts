/**
 * What `resources.x.InCluster(name)` reads: a store restricted to the objects of one
 * cluster (metadata.cluster), and the cluster names a store holds, for `Clusters()`.
 * The objects of a store are grouped by cluster once per change of the store (one pass),
 * so a template looping over a thousand kcp workspaces with Clusters() and InCluster()
 * costs what it reads, not a pass over every object per cluster.
 */
import type { KubeObject } from '../k8s.ts';
import type { OnDemandReader, StoreReader } from '../store/index.ts';
import { compareStrings } from '../text/compare-strings.ts';
import { filterStore } from './filtered-store.ts';

/** A store's objects by cluster, as of one modCount. */
interface ClusterGroups {
  readonly modCount: number;
  /** Cluster → its objects, in the store's order, frozen. */
  readonly objects: ReadonlyMap<string, readonly KubeObject[]>;
  /** The cluster names, sorted, frozen. */
  readonly names: readonly string[];
}

const EMPTY: readonly KubeObject[] = Object.freeze([]);
const groupsByStore = new WeakMap<StoreReader, ClusterGroups>();

/** `store`'s objects grouped by metadata.cluster (objects without one are in no group), rebuilt after a change. */
function groupsOf(store: StoreReader): ClusterGroups {
  const cached = groupsByStore.get(store);
  if (cached !== undefined && cached.modCount === store.modCount) return cached;
  const objects = new Map<string, KubeObject[]>();
  for (const obj of store.list()) {
    const cluster = obj.metadata.cluster;
    if (typeof cluster !== 'string') continue;
    const group = objects.get(cluster);
    if (group === undefined) objects.set(cluster, [obj]);
    else group.push(obj);
  }
  for (const group of objects.values()) Object.freeze(group);
  const groups = { modCount: store.modCount, objects, names: Object.freeze([...objects.keys()].sort(compareStrings)) };
  groupsByStore.set(store, groups);
  return groups;
}

/**
 * A reader over `store` that sees only the objects whose metadata.cluster is `cluster`
 * (see filterStore): get filters the underlying results, list is the cluster's group
 * (same order, frozen).
 */
export function scopeToCluster(store: OnDemandReader, cluster: string): OnDemandReader;
export function scopeToCluster(store: StoreReader, cluster: string): StoreReader;
export function scopeToCluster(store: StoreReader, cluster: string): StoreReader {
  return filterStore(store, (obj) => obj.metadata.cluster === cluster, () => groupsOf(store).objects.get(cluster) ?? EMPTY);
}

/** The distinct metadata.cluster values of `store`'s objects, sorted; objects without one are left out. */
export function clusterNames(store: StoreReader): readonly string[] {
  return groupsOf(store).names;
}
