/**
 * The WatchSink contract (watch-sink-contract.ts) against every sink a source delivers
 * into: the indexer, and the per-cluster sinks of a source that watches several clusters
 * (in front of an indexer, as the controller wires them).
 */
import { Indexer } from '../../src/indexer/index.ts';
import { silentLogger } from '../../src/log.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { clusterSinks } from '../../src/watcher/cluster-sinks.ts';
import { LimitedSink } from '../../src/watcher/limited-sink.ts';
import { DEFAULT_LIMITS } from '../../src/config/index.ts';
import { watchedResource } from '../support/builders.ts';
import { object, runWatchSinkContract } from './watch-sink-contract.ts';

/** An Indexer over a fresh MemoryStore. */
function indexed(): { store: MemoryStore; indexer: Indexer } {
  const store = new MemoryStore({ name: 'configmaps', keyCount: 2 });
  const indexer = new Indexer({ resource: watchedResource('configmaps', { kind: 'ConfigMap' }), store, logger: silentLogger() });
  return { store, indexer };
}

runWatchSinkContract('Indexer', () => {
  const { store, indexer } = indexed();
  return { sink: indexer, contents: () => store.list(), changes: () => store.modCount, synced: () => indexer.isSynced };
});

runWatchSinkContract('ClusterSinks with one cluster', () => {
  const { store, indexer } = indexed();
  const sink = clusterSinks(indexer, ['only']).get('only')!;
  return { sink, contents: () => store.list(), changes: () => store.modCount, synced: () => indexer.isSynced };
});

runWatchSinkContract('ClusterSinks, the sink of one of two clusters', () => {
  const { store, indexer } = indexed();
  const sinks = clusterSinks(indexer, ['east', 'west']);
  // The other cluster holds objects with the names the contract uses, and has synced.
  sinks.get('west')!.replace([object('ns', 'a', 'west-a', '1'), object('ns', 'b', 'west-b', '1'), object('other', 'a', 'west-oa', '1')]);
  sinks.get('west')!.synced();
  const inCluster = (cluster: string) => () => store.list().filter((o) => o.metadata.cluster === cluster);
  return { sink: sinks.get('east')!, contents: inCluster('east'), changes: () => store.modCount, synced: () => indexer.isSynced, bystanders: inCluster('west') };
});

runWatchSinkContract('LimitedSink in front of an indexer (objects within the limits)', () => {
  const { store, indexer } = indexed();
  const sink = new LimitedSink('configmaps', indexer, DEFAULT_LIMITS, () => undefined);
  return { sink, contents: () => store.list(), changes: () => store.modCount, synced: () => indexer.isSynced };
});
