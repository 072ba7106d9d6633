/**
 * WatchUnit: one source and the watched resources it delivers, each with its indexer and
 * store. It is the unit a config reload keeps or rebuilds: a unit whose source settings and
 * resource definitions are unchanged keeps its watches and its stores (no relist); any
 * other is built anew, synced, and only then swapped in.
 *
 * A Kubernetes or shared source gets one unit per watched resource, so changing one
 * resource relists only that one. With several clusters a unit is still one resource, in
 * every cluster: its store spans them all (resources.x with InCluster), so it is synced,
 * swapped and kept as one; changing source.kubernetes (clusters included) rebuilds every
 * unit. Units of resources with the same kind, namespace and selectors still share one
 * list/watch (the controller's SharedWatches): a unit joins the watch, and leaving it
 * (stopped, or rebuilt on a reload) never disturbs the other units on it. A files source is one unit for all resources: reading a folder
 * again is cheap, and one folder watcher serves them all.
 *
 * A unit's stores and indexers come from indexedStores, which template tests use too.
 */
import type { Config, WatchedResourceConfig } from '../config/types.ts';
import { Indexer } from '../indexer/index.ts';
import type { SharedConnections } from '../kv/shared-connections.ts';
import type { SharedBackendRegistry } from './shared-backends.ts';
import type { Logger } from '../log.ts';
import type { Fetcher, Store } from '../store/index.ts';
import type { StoreRegistry } from '../store/registry.ts';
import type { ResourceWatchStatus, Source, WatchError } from '../watcher/index.ts';
import { limitedSinks } from '../watcher/limited-sink.ts';
import type { ObjectLimits } from '../watcher/object-limits.ts';
import type { SharedWatches } from '../watcher/kubernetes/index.ts';
import type { WatchStats } from '../watcher/index.ts';
import { sourceFetcher } from './on-demand.ts';
import { buildStore } from './registry.ts';
import type { SourceSettings } from './source.ts';

/** The stores of some watched resources, by name, and the indexers that feed them. */
export interface IndexedStores {
  readonly stores: ReadonlyMap<string, Store>;
  readonly indexers: ReadonlyMap<string, Indexer>;
}

/** What building stores and their indexers needs. */
export interface IndexedStoresContext {
  registry: StoreRegistry;
  logger: Logger;
  /** Called after every store change and every sync. */
  onChange: () => void;
  /** Reads single objects of a resource from its source, when it can (on-demand stores need it). */
  fetcherOf?: (resource: WatchedResourceConfig) => Fetcher | undefined;
}

/**
 * For every resource, its store (through the registry, with the backend its config
 * names) and the indexer that feeds it: the one place a store and its indexer are made,
 * for watch units and for callers with a source of their own (template tests).
 */
export function indexedStores(resources: readonly WatchedResourceConfig[], context: IndexedStoresContext): IndexedStores {
  const stores = new Map<string, Store>();
  const indexers = new Map<string, Indexer>();
  for (const resource of resources) {
    const store = buildStore(context.registry, resource, context.fetcherOf?.(resource));
    stores.set(resource.name, store);
    const logger = context.logger.child({ component: 'indexer', resource: resource.name });
    indexers.set(resource.name, new Indexer({ resource, store, logger, onChange: context.onChange }));
  }
  return { stores, indexers };
}

/** Builds the source of a config restricted to one unit's watched resources. */
export type SourceFactory = (config: Config, logger: Logger, settings: SourceSettings) => Source;

/** A source that reports per-watcher counters (the Kubernetes source does). */
interface SourceWithStats extends Source {
  stats(): WatchStats[];
}

/** What building a unit needs from the controller. */
export interface WatchUnitContext {
  registry: StoreRegistry;
  logger: Logger;
  createSource: SourceFactory;
  /** Follow changes after the initial state (`run`), or deliver it once (`render`). */
  watch: boolean;
  /** Called after every store change and every sync of a resource of `unit`. */
  onChange: (unit: WatchUnit) => void;
  /** Problems of the source that do not stop it (a malformed manifest). */
  onError: (err: WatchError) => void;
  /** The controller's shared-store backends and connections, handed to the sources. */
  shared?: { connections: SharedConnections; backends: SharedBackendRegistry };
  /** The controller's shared Kubernetes connections and watches, handed to the sources. */
  kubernetesWatches?: SharedWatches;
}

/** The resources of `config`, grouped into units, each with the key that decides reuse. */
export function planUnits(config: Config): Array<{ key: string; resources: WatchedResourceConfig[] }> {
  const source = config.source[config.source.kind];
  const keyOf = (resources: WatchedResourceConfig[]): string =>
    JSON.stringify({ kind: config.source.kind, source, resources: resources.map(whatIsWatched) });
  if (config.source.kind === 'files') {
    return config.watchedResources.length === 0 ? [] : [{ key: keyOf(config.watchedResources), resources: config.watchedResources }];
  }
  return config.watchedResources.map((resource) => ({ key: keyOf([resource]), resources: [resource] }));
}

/**
 * What decides a unit's reuse: where a definition is written, and how long rendering
 * waits for it (sync_timeout, optional), do not change what is watched or stored.
 */
function whatIsWatched(resource: WatchedResourceConfig): Omit<WatchedResourceConfig, 'position' | 'syncTimeoutMs' | 'optional'> {
  const { position: _position, syncTimeoutMs: _timeout, optional: _optional, ...rest } = resource;
  return rest;
}

/** A source with the indexers and stores of its watched resources (see the module comment). */
export class WatchUnit {
  /** Decides reuse on reload: equal keys watch exactly the same things. */
  readonly key: string;
  readonly resources: readonly WatchedResourceConfig[];
  readonly stores: ReadonlyMap<string, Store>;
  readonly indexers: ReadonlyMap<string, Indexer>;
  readonly source: Source;
  readonly #limits: ObjectLimits;
  readonly #report: (err: WatchError) => void;
  #startedAt: number | undefined;

  /** Builds stores (through the registry), indexers and the source; starts nothing. */
  constructor(key: string, resources: WatchedResourceConfig[], config: Config, context: WatchUnitContext) {
    this.key = key;
    this.resources = resources;
    const settings: SourceSettings = {
      watch: context.watch,
      onError: context.onError,
      ...(context.shared ? { sharedConnections: context.shared.connections, sharedBackends: context.shared.backends } : {}),
      ...(context.kubernetesWatches ? { kubernetesWatches: context.kubernetesWatches } : {}),
    };
    const source = context.createSource({ ...config, watchedResources: resources }, context.logger, settings);
    const { stores, indexers } = indexedStores(resources, {
      registry: context.registry,
      logger: context.logger,
      onChange: () => context.onChange(this),
      fetcherOf: (resource) => sourceFetcher(source, resource, config.limits),
    });
    this.source = source;
    this.stores = stores;
    this.indexers = indexers;
    this.#limits = config.limits;
    this.#report = (err) => {
      context.logger.warn({ component: 'watcher', resource: err.resource }, err.message);
      context.onError(err);
    };
  }

  /** Clock time the source was started at; undefined before. */
  get startedAt(): number | undefined {
    return this.#startedAt;
  }

  /** Starts the source (its objects checked against the config's limits); rejects when the source as a whole cannot start. */
  async start(now: number): Promise<void> {
    this.#startedAt = now;
    await this.source.start(limitedSinks(this.indexers, this.#limits, this.#report));
  }

  async stop(): Promise<void> {
    await this.source.stop();
  }

  isSynced(resource: string): boolean {
    return this.indexers.get(resource)?.isSynced ?? false;
  }

  allSynced(): boolean {
    return [...this.indexers.values()].every((indexer) => indexer.isSynced);
  }

  /** The source's state of one resource (its last problem, e.g. 403). */
  status(resource: string): ResourceWatchStatus | undefined {
    return this.source.status().find((status) => status.resource === resource);
  }

  /** Per-watcher counters, when the source keeps them. */
  stats(): WatchStats[] {
    return hasStats(this.source) ? this.source.stats() : [];
  }
}

function hasStats(source: Source): source is SourceWithStats {
  return typeof (source as Partial<SourceWithStats>).stats === 'function';
}
