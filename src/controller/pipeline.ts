/**
 * The pipeline of one config version: its watch units seen as one set of stores. The
 * controller renders from exactly one pipeline at a time and swaps it on reload.
 */
import type { Config } from '../config/types.ts';
import type { Indexer } from '../indexer/index.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import type { StoreRegistry } from '../store/registry.ts';
import type { ResourceWatchStatus, WatchSink } from '../watcher/index.ts';
import type { WatchStats } from '../watcher/index.ts';
import { indexedStores, type IndexedStores, type WatchUnit } from './watch-unit.ts';

/** Stores and the indexers that feed them, seen as one set. */
export interface StorePipeline {
  /** The store of each watched resource, in config order. */
  readonly stores: ReadonlyMap<string, Store>;
  readonly indexers: ReadonlyMap<string, Indexer>;
  /** The indexers as the sinks a source delivers into. */
  readonly sinks: ReadonlyMap<string, WatchSink>;
  /** The sum of every store's modCount: changes whenever any store changed. */
  generation(): number;
  /** True once every watched resource has delivered its initial list. */
  allSynced(): boolean;
  /** The watched resources that have not synced yet. */
  unsynced(): string[];
}

/** The stores of one config version and the state of the watches that fill them. */
export interface Pipeline extends StorePipeline {
  readonly units: readonly WatchUnit[];
  /** The sources' state per resource. */
  status(): ResourceWatchStatus[];
  /** Per-watcher counters of the sources that keep them. */
  stats(): WatchStats[];
}

/** The pipeline over `units`, stores ordered as `order` (the config's watched resources). */
export function pipelineOf(units: readonly WatchUnit[], order: readonly string[]): Pipeline {
  const stores = new Map<string, Store>();
  const indexers = new Map<string, Indexer>();
  for (const name of order) {
    const unit = units.find((u) => u.stores.has(name));
    if (!unit) continue;
    stores.set(name, unit.stores.get(name)!);
    indexers.set(name, unit.indexers.get(name)!);
  }
  return {
    ...storePipeline({ stores, indexers }),
    units,
    status: () => units.flatMap((unit) => unit.source.status()),
    stats: () => units.flatMap((unit) => unit.stats()),
  };
}

/**
 * Builds a store (through `registry`) and an indexer for every watched resource of
 * `config`, for callers that feed them from a source of their own (template tests).
 * `onChange` is called after every store change and every sync.
 */
export function buildPipeline(config: Config, registry: StoreRegistry, logger: Logger, onChange: () => void): StorePipeline {
  return storePipeline(indexedStores(config.watchedResources, { registry, logger, onChange }));
}

function storePipeline({ stores, indexers }: IndexedStores): StorePipeline {
  const storeList = [...stores.values()];
  return {
    stores,
    indexers,
    sinks: indexers,
    generation: () => storeList.reduce((sum, store) => sum + store.modCount, 0),
    allSynced: () => [...indexers.values()].every((indexer) => indexer.isSynced),
    unsynced: () => [...indexers].filter(([, indexer]) => !indexer.isSynced).map(([name]) => name),
  };
}
