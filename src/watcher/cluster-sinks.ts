/**
 * ClusterSinks: one watched resource's sink shared by the watches of several clusters.
 * Each cluster gets a sink of its own that stamps metadata.cluster on every object and
 * confines its (re)lists to that cluster, so a relist in one cluster never touches the
 * objects of another; the shared sink hears synced() once every cluster has synced.
 */
import type { KubeObject } from '../k8s.ts';
import type { WatchSink } from './index.ts';

/** What a cluster's sink remembers of an object it delivered: enough to diff a relist. */
interface Delivered {
  readonly uid: string | undefined;
  readonly resourceVersion: string | undefined;
}

/**
 * The sinks of the clusters `clusters` over `target`. With one cluster, its replace() is
 * handed through as it is (the target holds nothing else); with several, a replace() from
 * one cluster becomes the adds, updates and deletes that make that cluster's part of the
 * target equal to the list, objects at an unchanged uid and resourceVersion left alone.
 * For that, each cluster's sink keeps the identity and version of what it delivered (a
 * few short strings per object, never the object).
 */
export function clusterSinks(target: WatchSink, clusters: readonly string[]): Map<string, WatchSink> {
  const pending = new Set(clusters);
  const onSynced = (cluster: string): void => {
    if (!pending.delete(cluster) || pending.size > 0) return;
    target.synced();
  };
  const shared = clusters.length > 1;
  return new Map(clusters.map((cluster) => [cluster, new ClusterSink(target, cluster, shared, onSynced)]));
}

/** One cluster's view of the shared sink (see clusterSinks). */
class ClusterSink implements WatchSink {
  readonly #target: WatchSink;
  readonly #cluster: string;
  readonly #shared: boolean;
  readonly #onSynced: (cluster: string) => void;
  /** namespace/name → version, of what this cluster delivered (only when the target is shared). */
  #delivered = new Map<string, Delivered>();

  constructor(target: WatchSink, cluster: string, shared: boolean, onSynced: (cluster: string) => void) {
    this.#target = target;
    this.#cluster = cluster;
    this.#shared = shared;
    this.#onSynced = onSynced;
  }

  add(obj: KubeObject): void {
    this.#target.add(this.#remember(obj));
  }

  update(obj: KubeObject): void {
    this.#target.update(this.#remember(obj));
  }

  delete(obj: KubeObject): void {
    this.#stamp(obj);
    if (this.#shared) this.#delivered.delete(localId(obj));
    this.#target.delete(obj);
  }

  replace(objs: KubeObject[]): void {
    for (const obj of objs) this.#stamp(obj);
    if (!this.#shared) {
      this.#target.replace(objs);
      return;
    }
    const previous = this.#delivered;
    this.#delivered = new Map();
    for (const obj of objs) this.#reconcile(obj, previous.get(localId(obj)));
    for (const [id, gone] of previous) {
      if (!this.#delivered.has(id)) this.#target.delete(this.#stub(id, gone));
    }
  }

  synced(): void {
    this.#onSynced(this.#cluster);
  }

  /** replace()'s step for one listed object: unchanged is left alone, a new uid is delete + add. */
  #reconcile(obj: KubeObject, before: Delivered | undefined): void {
    const id = localId(obj);
    const { uid, resourceVersion } = obj.metadata;
    this.#delivered.set(id, { uid, resourceVersion });
    if (before === undefined) return this.#target.add(obj);
    if (resourceVersion !== undefined && before.resourceVersion === resourceVersion && before.uid === uid) return;
    if (before.uid !== undefined && uid !== undefined && before.uid !== uid) {
      this.#target.delete(this.#stub(id, before));
      return this.#target.add(obj);
    }
    this.#target.update(obj);
  }

  #remember(obj: KubeObject): KubeObject {
    this.#stamp(obj);
    if (this.#shared) this.#delivered.set(localId(obj), { uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion });
    return obj;
  }

  /**
   * Sets metadata.cluster (the object belongs to the sink from now on, so this is ours to
   * do). The sinks of a shared watch get the same object, each from the same cluster: the
   * first one sets it, the others find it set (and never write into an object a store may
   * have frozen).
   */
  #stamp(obj: KubeObject): void {
    if (obj.metadata.cluster !== this.#cluster) obj.metadata.cluster = this.#cluster;
  }

  /** An object that names only what was delivered under `id`: enough to delete exactly it. */
  #stub(id: string, delivered: Delivered): KubeObject {
    const at = id.indexOf('\u0000');
    const namespace = id.slice(0, at);
    const metadata: KubeObject['metadata'] = { name: id.slice(at + 1), cluster: this.#cluster };
    if (namespace !== '') metadata.namespace = namespace;
    if (delivered.uid !== undefined) metadata.uid = delivered.uid;
    return { metadata };
  }
}

/** namespace and name joined by NUL (which neither contains). */
function localId(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}\u0000${obj.metadata.name}`;
}
