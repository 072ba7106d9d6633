/**
 * Joins the stages for one config: a store and an indexer per watched resource, and the
 * sinks a source delivers into. The controller owns one pipeline per config version.
 */
import type { Config } from '../config/types.ts';
import { Indexer } from '../indexer/index.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import type { StoreRegistry } from '../store/registry.ts';
import type { WatchSink } from '../watcher/index.ts';

export interface Pipeline {
  stores: ReadonlyMap<string, Store>;
  indexers: ReadonlyMap<string, Indexer>;
  sinks: ReadonlyMap<string, WatchSink>;
  /** The sum of every store's modCount: changes whenever any store changed. */
  generation(): number;
  /** True once every watched resource has delivered its initial list. */
  allSynced(): boolean;
  /** The watched resources that have not synced yet. */
  unsynced(): string[];
}

/**
 * Builds stores through `registry` and indexers in front of them. `onChange` is called
 * after every mutation that changed a store and whenever a resource syncs.
 */
export function buildPipeline(
  config: Config,
  registry: StoreRegistry,
  logger: Logger,
  onChange: () => void,
): Pipeline {
  const stores = new Map<string, Store>();
  const indexers = new Map<string, Indexer>();
  for (const resource of config.watchedResources) {
    const store = registry.build(resource);
    stores.set(resource.name, store);
    const log = logger.child({ component: 'indexer', resource: resource.name });
    indexers.set(resource.name, new Indexer({ resource, store, logger: log, onChange }));
  }
  const list = [...stores.values()];
  return {
    stores,
    indexers,
    sinks: indexers,
    generation: () => list.reduce((sum, store) => sum + store.modCount, 0),
    allSynced: () => [...indexers.values()].every((indexer) => indexer.isSynced),
    unsynced: () => [...indexers].filter(([, indexer]) => !indexer.isSynced).map(([name]) => name),
  };
}
