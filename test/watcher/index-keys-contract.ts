/**
 * The index-keys contract: what a watched resource's store holds when its objects come
 * through a source, an Indexer and a MemoryStore as the controller wires them, for index
 * keys of several values (an Ingress filed under each of its hosts). Every source runs it
 * (files, Kubernetes, the shared store), so that what templates find does not depend on
 * where objects come from. Delivery itself (initial list, changes, relists, stop) is the
 * Source contract's (source-contract.ts).
 *
 * Usage, in a source's test file:
 *   runIndexKeysContract('FilesSource', async () => harness);
 * where the harness writes objects where that source reads them (a manifest folder, a
 * test API server, shared-store keys) and starts the source over given watched resources.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { WatchedResourceConfig } from '../../src/config/types.ts';
import { Indexer } from '../../src/indexer/index.ts';
import type { KubeObject } from '../../src/k8s.ts';
import { silentLogger } from '../../src/log.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import type { WatchSink } from '../../src/watcher/index.ts';
import { watchedResource } from '../support/builders.ts';
import { Waiters } from '../support/waiters.ts';

/** Where a source under test reads its objects from, and the source itself. */
export interface SourceHarness {
  /** Creates or replaces an Ingress (networking.k8s.io/v1) where the source reads it. */
  put(obj: KubeObject): Promise<void>;
  /** Deletes an Ingress where the source reads it. */
  remove(obj: KubeObject): Promise<void>;
  /** Starts a source delivering `resources` (Ingresses) into `sinks`. */
  start(resources: readonly WatchedResourceConfig[], sinks: ReadonlyMap<string, WatchSink>): Promise<void>;
  /** Stops the source and releases what the harness holds. */
  close(): Promise<void>;
}

/** Builds a fresh harness for one test. */
export type MakeHarness = () => Promise<SourceHarness>;

/** The watched Ingress resource the contract uses, indexed by `indexBy`. */
export function ingresses(indexBy: string[], name = 'ingresses'): WatchedResourceConfig {
  return watchedResource(name, { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', indexBy, removeFields: ['metadata.managedFields'] });
}

/** An Ingress serving `hosts`; `version` changes its content (a new resourceVersion where the source stamps one). */
export function ingress(namespace: string, name: string, hosts: readonly string[], version = 1): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { namespace, name },
    spec: { ingressClassName: 'haproxy', rules: hosts.map((host) => ({ host, http: { paths: [{ path: `/v${version}` }] } })) },
  };
}

/** A started source feeding an Indexer and a MemoryStore, and a way to wait on the store. */
async function indexed(harness: SourceHarness, indexBy: string[]) {
  const resource = ingresses(indexBy);
  const store = new MemoryStore({ name: resource.name, keyCount: indexBy.length });
  const waiters = new Waiters();
  const indexer = new Indexer({ resource, store, logger: silentLogger(), onChange: () => waiters.notify() });
  await harness.start([resource], new Map([[resource.name, indexer]]));
  const names = (objects: readonly KubeObject[]): string[] => objects.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
  const until = (condition: () => boolean, what: string): Promise<void> => waiters.until(condition, what);
  await until(() => indexer.isSynced, 'the source synced');
  return { store, indexer, names, until };
}

/** Runs every index-keys guarantee against harnesses built by `make` (all skipped, saying why, when `skip` is a reason). */
export function runIndexKeysContract(name: string, make: MakeHarness, options: { skip?: string | false } = {}): void {
  describe(`${name} (index-keys contract)`, { skip: options.skip ?? false }, () => {
    const withHarness = (body: (harness: SourceHarness) => Promise<void>) => async () => {
      const harness = await make();
      try {
        await body(harness);
      } finally {
        await harness.close();
      }
    };

    test('a multi-valued index_by files each object under every host, found once by each', withHarness(async (harness) => {
      await harness.put(ingress('shop', 'web', ['shop.example.com', 'www.example.com', 'shop.example.com']));
      await harness.put(ingress('shop', 'api', ['api.example.com', 'shop.example.com']));
      const { store, names } = await indexed(harness, ['metadata.namespace', 'spec.rules[*].host']);
      assert.deepEqual(names(store.get('shop', 'shop.example.com')), ['shop/api', 'shop/web']);
      assert.deepEqual(names(store.get('shop', 'www.example.com')), ['shop/web']);
      assert.deepEqual(names(store.get('shop')), ['shop/api', 'shop/web']);
      assert.deepEqual(names(store.list()), ['shop/api', 'shop/web']);
      assert.equal(store.size(), 2);
    }));

    test('a change of hosts moves every entry, and a delete removes the object under every host', withHarness(async (harness) => {
      await harness.put(ingress('shop', 'web', ['a.example', 'b.example']));
      await harness.put(ingress('shop', 'api', ['b.example']));
      const { store, names, until } = await indexed(harness, ['spec.rules[*].host']);
      await harness.put(ingress('shop', 'web', ['b.example', 'c.example'], 2));
      await until(() => store.get('c.example').length === 1, 'web filed under its new host');
      assert.deepEqual(names(store.get('a.example')), []);
      assert.deepEqual(names(store.get('b.example')), ['shop/api', 'shop/web']);
      await harness.remove(ingress('shop', 'web', []));
      await until(() => store.size() === 1, 'web deleted');
      assert.deepEqual(names(store.get('b.example')), ['shop/api']);
      assert.deepEqual(names(store.get('c.example')), []);
    }));

    test('an object without a value for a multi-valued index_by is counted as missing until it has one', withHarness(async (harness) => {
      await harness.put(ingress('shop', 'web', []));
      const { store, indexer, names, until } = await indexed(harness, ['spec.rules[*].host']);
      assert.equal(store.size(), 0);
      const missing = indexer.stats().missing;
      assert.deepEqual(missing.map(({ expr, reason }) => ({ expr, reason })), [{ expr: 'spec.rules[*].host', reason: 'no value' }]);
      assert.match(missing[0]!.id, /(^|\|)shop\/web$/);
      await harness.put(ingress('shop', 'web', ['a.example'], 2));
      await until(() => store.size() === 1, 'web stored once it has a host');
      assert.deepEqual(names(store.get('a.example')), ['shop/web']);
      assert.deepEqual(indexer.stats().missing, []);
    }));
  });
}
