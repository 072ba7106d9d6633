/**
 * Reconciling one published resource: the writes that make the repository's keys of the
 * resource, in every cluster the publisher writes, equal to the store (a cluster whose
 * objects are all gone has its keys deleted; objects of another cluster are skipped).
 * Missing keys and keys whose value differs are put, keys of objects that vanished are
 * deleted, equal values are left alone (subscribers see no change). The store is read
 * right after the listings and the journal cleared at that moment, so every later change
 * is in the journal and none is lost between the two.
 */
import type { KubeObject } from '../k8s.ts';
import type { KvOperation, KvRecord, Repository } from '../kv/index.ts';
import type { KeyLayout } from '../kv/layout.ts';
import type { ChangeJournal } from '../store/change-journal.ts';
import { assertOwnedCluster, keyOfObject, valueOfObject, type PublishedResource } from './objects.ts';

/** One write of a reconcile, and the store object it puts (none for the delete of a vanished key). */
export interface ReconcileWrite {
  readonly operation: KvOperation;
  readonly obj: KubeObject | undefined;
}

/** What reconciling one resource found. */
export interface ReconcilePlan {
  readonly writes: ReconcileWrite[];
  /** Objects that cannot be stored (a name that is not a key segment), with why. */
  readonly skipped: { readonly obj: KubeObject; readonly error: Error }[];
}

/** Lists the resource's keys, then diffs them with the store (see the module comment). */
export async function planReconcile(
  repository: Repository,
  layout: KeyLayout,
  resource: PublishedResource,
  journal: ChangeJournal,
  cluster: string,
  owned: readonly string[] = [cluster],
): Promise<ReconcilePlan> {
  const prefixes = owned.map((c) => layout.clusterPrefix(resource.group, resource.resource, c));
  const listings = await Promise.all(prefixes.map((prefix) => repository.list(prefix)));
  journal.clear();
  const stored = new Map<string, KvRecord>();
  for (const listing of listings) for (const record of listing.records) stored.set(record.key, record);
  const writes: ReconcileWrite[] = [];
  const skipped: { obj: KubeObject; error: Error }[] = [];
  const wanted = new Set<string>();
  for (const obj of resource.store.list()) {
    let key: string;
    try {
      assertOwnedCluster(obj, cluster, owned);
      key = keyOfObject(layout, resource, obj, cluster);
    } catch (err) {
      skipped.push({ obj, error: err as Error });
      continue;
    }
    wanted.add(key);
    const value = valueOfObject(obj);
    if (stored.get(key)?.value !== value) writes.push({ operation: { type: 'put', key, value }, obj });
  }
  for (const key of stored.keys()) if (!wanted.has(key)) writes.push({ operation: { type: 'delete', key }, obj: undefined });
  return { writes, skipped };
}
