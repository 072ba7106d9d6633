/**
 * FixtureSource: a Source that delivers a fixed set of objects once, as a files source
 * would deliver them from manifests: routed to the watched resources they match (kind,
 * apiVersion, namespace, selectors), synthetic uid and resourceVersion filled in, then
 * every resource marked synced. Template tests build one per test.
 */
import { compareByNamespaceName, objectId, type KubeObject } from '../k8s.ts';
import type { WatchedResourceConfig } from '../config/types.ts';
import { canonicalJson, compileRoute, contentVersion, syntheticUid, type ResourceRoute } from '../watcher/files/index.ts';
import { WatchError, type ResourceWatchStatus, type Source, type WatchSink } from '../watcher/index.ts';

/** A Source holding a fixed set of objects; it never changes after start(). */
export class FixtureSource implements Source {
  readonly #objects: readonly KubeObject[];
  readonly #routes: ResourceRoute[];
  #started = false;

  /**
   * `objects` in order: when two have the same namespace/name within a resource, the later
   * one wins (that is how fixtures replace base manifests). Throws a WatchError naming a
   * resource whose selector does not parse.
   */
  constructor(objects: readonly KubeObject[], resources: readonly WatchedResourceConfig[]) {
    this.#objects = objects;
    this.#routes = resources.map(compileRoute);
  }

  /** Delivers each resource's objects with one replace(), sorted by namespace/name, then synced() for every sink. */
  async start(sinks: ReadonlyMap<string, WatchSink>): Promise<void> {
    if (this.#started) throw new WatchError('a FixtureSource can be started only once');
    this.#started = true;
    for (const route of this.#routes) {
      const sink = sinks.get(route.name);
      if (sink === undefined) continue;
      sink.replace(this.#objectsOf(route));
    }
    for (const sink of sinks.values()) sink.synced();
  }

  async stop(): Promise<void> {}

  /** Every resource is synced once started. */
  status(): ResourceWatchStatus[] {
    return this.#routes.map((route) => ({ resource: route.name, synced: this.#started }));
  }

  /** Fresh copies of the objects that belong to `route`; the last of each identity wins. */
  #objectsOf(route: ResourceRoute): KubeObject[] {
    const byId = new Map<string, KubeObject>();
    for (const obj of this.#objects) {
      if (route.matches(obj)) byId.set(objectId(obj), obj);
    }
    return [...byId.values()].sort(compareByNamespaceName).map(delivered);
  }
}

/** A copy with the uid and resourceVersion a files source would give an object that has none. */
function delivered(obj: KubeObject): KubeObject {
  const copy = structuredClone(obj);
  copy.metadata.uid ??= syntheticUid(obj);
  copy.metadata.resourceVersion ??= contentVersion(canonicalJson(obj));
  return copy;
}
