import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../src/config/index.ts';
import type { WatchedResourceConfig } from '../../src/config/types.ts';
import { buildStore, createDefaultRegistry, storeOptionsOf, type ConfiguredStoreBackend } from '../../src/controller/registry.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import type { StoreRegistry } from '../../src/store/registry.ts';
import { positiveIntForTests } from './registry-fixtures.ts';
import { watchedResource } from '../support/builders.ts';

const resource = watchedResource('pods', { store: 'sharded' });

/** A backend of its own, with one key and one cross-check, the way an out-of-tree backend would be. */
const sharded: ConfiguredStoreBackend = {
  name: 'sharded',
  description: 'Spreads objects over shards.',
  options: { shards: positiveIntForTests('sharded only: how many shards') },
  validate: (r, config) =>
    config['publish'] === undefined ? [{ path: ['watched_resources', r.name, 'store'], message: 'store: sharded needs publish' }] : [],
  normalize: (raw) => ({ maxCacheSize: (raw['shards'] as number | undefined) ?? 1 }),
  build: ({ name, keyCount }) => new MemoryStore({ name, keyCount }),
};

function messages(text: string, registry: StoreRegistry<ConfiguredStoreBackend>): string[] {
  try {
    parseConfig(text, 'config.yaml', { storeBackends: registry.backends() });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.line}:${p.col} ${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('StoreRegistry', () => {
  test('refuses a second backend with a name already taken', () => {
    const registry = createDefaultRegistry();
    assert.throws(() => registry.register({ ...sharded, name: 'full' }), /store backend "full" is already registered/);
  });

  test('keeps one registry per instance: registering in one does not change another', () => {
    const one = createDefaultRegistry().register(sharded);
    assert.deepEqual(one.names(), ['full', 'on-demand', 'published', 'etcd', 'sharded']);
    assert.deepEqual(createDefaultRegistry().names(), ['full', 'on-demand', 'published', 'etcd']);
    assert.equal(one.get('sharded'), sharded);
    assert.equal(one.get('postgres'), undefined);
  });

  test('builds with the backend a resource names, and lists the available ones for an unknown name', () => {
    const registry = createDefaultRegistry().register(sharded);
    assert.ok(buildStore(registry, resource) instanceof MemoryStore);
    assert.throws(
      () => buildStore(createDefaultRegistry(), resource),
      /watched resource "pods": unknown store backend "sharded"; available: full, on-demand, published, etcd/,
    );
  });

  test('config validation takes a backend\'s own keys, checks and defaults from the registry', () => {
    const registry = createDefaultRegistry().register(sharded);
    const text =
      'publish: {backend: memory, cluster: c}\nwatched_resources:\n  pods: {api_version: v1, kind: Pod, store: sharded, shards: 4}\n  services: {api_version: v1, kind: Service, store: published}\n';
    const config = parseConfig(text, 'config.yaml', { storeBackends: registry.backends() });
    assert.equal(config.watchedResources[0]?.maxCacheSize, 4);
    assert.deepEqual(messages('watched_resources:\n  pods: {api_version: v1, kind: Pod, store: sharded, shards: 0}\n', registry), [
      '2:38 watched_resources.pods.store: store: sharded needs publish',
      '2:62 watched_resources.pods.shards: must be at least 1',
    ]);
  });

  test('a backend\'s key on a resource of another backend names the key and both stores', () => {
    const registry = createDefaultRegistry().register(sharded);
    assert.deepEqual(messages('watched_resources:\n  pods: {api_version: v1, kind: Pod, store: on-demand, shards: 2}\n', registry), [
      '2:56 watched_resources.pods.shards: shards is only allowed with store: sharded (this resource uses store: on-demand)',
    ]);
    assert.deepEqual(messages('watched_resources:\n  pods: {api_version: v1, kind: Pod, store: etcd, cache_ttl: 1m}\n', registry).slice(-1), [
      '2:51 watched_resources.pods.cache_ttl: cache_ttl is only allowed with store: on-demand (this resource uses store: etcd)',
    ]);
  });

  test('an unknown store lists every registered backend', () => {
    const registry = createDefaultRegistry().register(sharded);
    assert.deepEqual(messages('watched_resources:\n  pods: {api_version: v1, kind: Pod, store: memory}\n', registry), [
      '2:45 watched_resources.pods.store: unknown store type "memory"; available: full, on-demand, published, etcd, sharded',
    ]);
  });

  test('a store is built from its resource\'s name, index_by length and cache settings, with the config defaults for those it has none of', () => {
    assert.deepEqual(storeOptionsOf({ ...resource, store: 'on-demand', cacheTtlMs: 5_000, maxCacheSize: 3 }), {
      name: 'pods',
      keyCount: 2,
      cacheTtlMs: 5_000,
      maxCacheSize: 3,
    });
    assert.deepEqual(storeOptionsOf({ ...resource, store: 'full' }), { name: 'pods', keyCount: 2, cacheTtlMs: 600_000, maxCacheSize: 256 });
  });
});
