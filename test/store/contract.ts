/**
 * The Store contract: one suite every Store implementation runs (the way client-go runs
 * doTestStore against each of its stores). It uses the public interface only.
 *
 * Usage, in an implementation's test file:
 *   runStoreContract('MemoryStore', (options) => new MemoryStore(options));
 *
 * Stores that hold references only (an on-demand store: get and list return identity and
 * version, the bodies are fetched separately) pass `{ references: true }`: the three
 * assertions that read a body (spec, labels) then check the reference instead.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/k8s.ts';
import { hasKeysOf, StoreError, type IndexKey, type Store } from '../../src/store/index.ts';
import { seededRandom } from '../support/apiserver/random.ts';

/** Builds an empty store for one test. */
export type MakeStore = (options: { name: string; keyCount: number }) => Store;

/** What the store under test returns from get and list. */
export interface ContractOptions {
  /** get/list return references (metadata name, namespace, uid, resourceVersion) rather than objects. */
  references?: boolean;
}

/** A minimal object; `extra` is merged into metadata, `spec` is its spec. */
function obj(
  namespace: string | undefined,
  name: string,
  extra: Partial<KubeObject['metadata']> = {},
  spec: Record<string, unknown> = {},
): KubeObject {
  const metadata: KubeObject['metadata'] = { name, ...extra };
  if (namespace !== undefined) metadata.namespace = namespace;
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata, spec };
}

/** "namespace/name" of each object, in order, for readable assertions. */
function ids(objects: readonly KubeObject[]): string[] {
  return objects.map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`);
}

/** Runs every Store guarantee against stores built by `makeStore`. */
export function runStoreContract(name: string, makeStore: MakeStore, options: ContractOptions = {}): void {
  const references = options.references ?? false;
  describe(`${name} (Store contract)`, () => {
    lookups(makeStore);
    identity(makeStore);
    modCounts(makeStore);
    replacing(makeStore, references);
    errorsAndReadOnly(makeStore, references);
    clusters(makeStore);
    multipleKeys(makeStore);
    multipleKeysModel(makeStore);
  });
}

function lookups(makeStore: MakeStore): void {
  test('get with every key returns exactly the objects filed under that key', () => {
    const store = makeStore({ name: 'things', keyCount: 2 });
    store.add(obj('ns1', 'a'), ['ns1', 'a']);
    store.add(obj('ns1', 'b'), ['ns1', 'b']);
    assert.deepEqual(ids(store.get('ns1', 'a')), ['ns1/a']);
    assert.deepEqual(ids(store.get('ns1', 'c')), []);
    assert.deepEqual(ids(store.get('ns2', 'a')), []);
  });

  test('get with fewer keys returns every object whose leading keys match', () => {
    const store = makeStore({ name: 'things', keyCount: 3 });
    store.add(obj('ns1', 'a'), ['x', 'y', '1']);
    store.add(obj('ns1', 'b'), ['x', 'y', '2']);
    store.add(obj('ns1', 'c'), ['x', 'z', '1']);
    store.add(obj('ns1', 'd'), ['w', 'y', '1']);
    assert.deepEqual(ids(store.get('x', 'y')), ['ns1/a', 'ns1/b']);
    assert.deepEqual(ids(store.get('x')), ['ns1/a', 'ns1/b', 'ns1/c']);
    assert.deepEqual(ids(store.get()), ['ns1/a', 'ns1/b', 'ns1/c', 'ns1/d']);
    assert.deepEqual(ids(store.get('y')), []);
  });

  test('key components containing "/" never collide with other tuples', () => {
    const store = makeStore({ name: 'things', keyCount: 2 });
    store.add(obj('ns', 'first'), ['a/b', 'c']);
    store.add(obj('ns', 'second'), ['a', 'b/c']);
    store.add(obj('ns', 'third'), ['a/b/c', '']);
    assert.deepEqual(ids(store.get('a/b', 'c')), ['ns/first']);
    assert.deepEqual(ids(store.get('a', 'b/c')), ['ns/second']);
    assert.deepEqual(ids(store.get('a/b/c', '')), ['ns/third']);
    assert.deepEqual(ids(store.get('a')), ['ns/second']);
    assert.deepEqual(ids(store.get('a/b')), ['ns/first']);
  });

  test('several objects may share one key tuple', () => {
    const store = makeStore({ name: 'slices', keyCount: 2 });
    store.add(obj('ns', 'web-abc'), ['ns', 'web']);
    store.add(obj('ns', 'web-def'), ['ns', 'web']);
    store.add(obj('ns', 'api-xyz'), ['ns', 'api']);
    assert.deepEqual(ids(store.get('ns', 'web')), ['ns/web-abc', 'ns/web-def']);
    assert.equal(store.size(), 3);
  });

  test('results are sorted by namespace, then name, whatever the key or insertion order', () => {
    const store = makeStore({ name: 'things', keyCount: 1 });
    const added = [
      obj('b', 'a'),
      obj('a', 'z'),
      obj(undefined, 'cluster-scoped'),
      obj('a-b', 'y'),
      obj('a', 'b'),
      obj('b', 'A'),
    ];
    added.forEach((o, i) => store.add(o, [i % 2 === 0 ? 'even' : 'odd']));
    const expected = ['/cluster-scoped', 'a/b', 'a/z', 'a-b/y', 'b/A', 'b/a'];
    assert.deepEqual(ids(store.list()), expected);
    assert.deepEqual(ids(store.get()), expected);
    assert.deepEqual(ids(store.get('even')), ['/cluster-scoped', 'a/b', 'b/a']);
    assert.deepEqual(ids(store.get('odd')), ['a/z', 'a-b/y', 'b/A']);
  });

  test('list returns every object and size counts them', () => {
    const store = makeStore({ name: 'things', keyCount: 2 });
    assert.deepEqual(store.list(), []);
    assert.equal(store.size(), 0);
    store.add(obj('ns', 'b'), ['k', '1']);
    store.add(obj('ns', 'a'), ['k', '2']);
    store.add(obj('other', 'a'), ['k', '2']);
    assert.deepEqual(ids(store.list()), ['ns/a', 'ns/b', 'other/a']);
    assert.equal(store.size(), 3);
  });

  test('a result read before a change still holds what it held, and a later read sees the change', () => {
    const store = makeStore({ name: 'things', keyCount: 1 });
    store.add(obj('ns', 'a'), ['k']);
    const before = store.get('k');
    store.add(obj('ns', 'b'), ['k']);
    assert.deepEqual(ids(before), ['ns/a']);
    assert.deepEqual(ids(store.get('k')), ['ns/a', 'ns/b']);
  });

  test('clear removes everything', () => {
    const store = makeStore({ name: 'things', keyCount: 2 });
    store.add(obj('ns', 'a'), ['ns', 'a']);
    store.add(obj('ns', 'b'), ['ns', 'b']);
    store.clear();
    assert.equal(store.size(), 0);
    assert.deepEqual(store.list(), []);
    assert.deepEqual(store.get('ns'), []);
    store.add(obj('ns', 'a'), ['ns', 'a']);
    assert.deepEqual(ids(store.get('ns')), ['ns/a']);
  });
}

function identity(makeStore: MakeStore): void {
  test('add of an identity already held replaces the object instead of adding another', () => {
    const store = makeStore({ name: 'things', keyCount: 1 });
    store.add(obj('ns', 'a', { resourceVersion: '1' }), ['k']);
    store.add(obj('ns', 'a', { resourceVersion: '2' }), ['k']);
    assert.equal(store.size(), 1);
    assert.equal(store.get('k')[0]!.metadata.resourceVersion, '2');
  });

  test('update of an object that is not held adds it', () => {
    const store = makeStore({ name: 'things', keyCount: 1 });
    store.update(obj('ns', 'a'), ['k']);
    assert.deepEqual(ids(store.get('k')), ['ns/a']);
  });

  test('objects with the same name in different namespaces are different objects', () => {
    const store = makeStore({ name: 'things', keyCount: 1 });
    store.add(obj('ns1', 'a'), ['k']);
    store.add(obj('ns2', 'a'), ['k']);
    store.add(obj(undefined, 'a'), ['k']);
    assert.equal(store.size(), 3);
    store.delete(obj('ns1', 'a'));
    assert.deepEqual(ids(store.list()), ['/a', 'ns2/a']);
  });

  test('an update that changes the index key moves the object and leaves no trace under the old key', () => {
    const store = makeStore({ name: 'things', keyCount: 2 });
    store.add(obj('ns', 'a', { resourceVersion: '1' }), ['old', 'x']);
    store.add(obj('ns', 'mate', { resourceVersion: '1' }), ['old', 'y']);
    store.update(obj('ns', 'a', { resourceVersion: '2' }), ['new', 'x']);
    assert.deepEqual(ids(store.get('old', 'x')), []);
    assert.deepEqual(ids(store.get('old')), ['ns/mate']);
    assert.deepEqual(ids(store.get('new', 'x')), ['ns/a']);
    assert.equal(store.size(), 2);
    store.update(obj('ns', 'mate', { resourceVersion: '2' }), ['new', 'y']);
    assert.deepEqual(ids(store.get('old')), []);
    assert.deepEqual(ids(store.get('new')), ['ns/a', 'ns/mate']);
  });

  test('delete removes only that object, never its key-mates', () => {
    const store = makeStore({ name: 'slices', keyCount: 2 });
    store.add(obj('ns', 'web-1'), ['ns', 'web']);
    store.add(obj('ns', 'web-2'), ['ns', 'web']);
    store.add(obj('ns', 'web-3'), ['ns', 'web']);
    store.delete(obj('ns', 'web-2'));
    assert.deepEqual(ids(store.get('ns', 'web')), ['ns/web-1', 'ns/web-3']);
    store.delete(obj('ns', 'web-1'));
    assert.deepEqual(ids(store.get('ns', 'web')), ['ns/web-3']);
    assert.equal(store.size(), 1);
  });

  test('delete needs only the identity: namespace and name', () => {
    const store = makeStore({ name: 'things', keyCount: 1 });
    store.add(obj('ns', 'a', { uid: 'u1' }, { big: true }), ['k']);
    store.delete({ metadata: { namespace: 'ns', name: 'a' } });
    assert.equal(store.size(), 0);
    assert.deepEqual(store.get('k'), []);
  });

  test('delete is ignored when its uid differs from the stored object (an older incarnation)', () => {
    const store = makeStore({ name: 'things', keyCount: 1 });
    store.add(obj('ns', 'a', { uid: 'new-uid' }), ['k']);
    const before = store.modCount;
    store.delete(obj('ns', 'a', { uid: 'old-uid' }));
    assert.deepEqual(ids(store.get('k')), ['ns/a']);
    assert.equal(store.modCount, before);
    store.delete(obj('ns', 'a', { uid: 'new-uid' }));
    assert.equal(store.size(), 0);
  });

  test('delete of an object that is not held changes nothing', () => {
    const store = makeStore({ name: 'things', keyCount: 1 });
    store.add(obj('ns', 'a'), ['k']);
    store.delete(obj('ns', 'b'));
    store.delete(obj('other', 'a'));
    assert.deepEqual(ids(store.list()), ['ns/a']);
  });
}

function modCounts(makeStore: MakeStore): void {
  test('modCount increases on add, update, delete and clear', () => {
    const store = makeStore({ name: 'things', keyCount: 1 });
    let last = store.modCount;
    const bumped = (): boolean => {
      const changed = store.modCount > last;
      last = store.modCount;
      return changed;
    };
    store.add(obj('ns', 'a', { resourceVersion: '1' }), ['k']);
    assert.ok(bumped(), 'add');
    store.update(obj('ns', 'a', { resourceVersion: '2' }), ['k']);
    assert.ok(bumped(), 'update in place');
    store.update(obj('ns', 'a', { resourceVersion: '3' }), ['other']);
    assert.ok(bumped(), 'update that moves');
    store.delete(obj('ns', 'a'));
    assert.ok(bumped(), 'delete');
    store.add(obj('ns', 'b'), ['k']);
    bumped();
    store.clear();
    assert.ok(bumped(), 'clear');
  });

  test('modCount stays put when nothing changed', () => {
    const store = makeStore({ name: 'things', keyCount: 1 });
    const empty = store.modCount;
    store.clear();
    store.delete(obj('ns', 'absent'));
    assert.equal(store.modCount, empty, 'clear of an empty store, delete of an absent object');
    store.add(obj('ns', 'a', { uid: 'u', resourceVersion: '5' }), ['k']);
    const held = store.modCount;
    store.get('k');
    store.list();
    store.size();
    store.delete(obj('ns', 'b'));
    store.replace([{ obj: obj('ns', 'a', { uid: 'u', resourceVersion: '5' }), key: ['k'] }]);
    assert.equal(store.modCount, held, 'reads, absent delete, replace with unchanged objects');
  });
}

function replacing(makeStore: MakeStore, references: boolean): void {
  test('replace deletes identities absent from the new set and adds new ones', () => {
    const store = makeStore({ name: 'things', keyCount: 1 });
    store.add(obj('ns', 'gone', { uid: 'u1', resourceVersion: '1' }), ['k']);
    store.add(obj('ns', 'stays', { uid: 'u2', resourceVersion: '1' }), ['k']);
    store.replace([
      { obj: obj('ns', 'stays', { uid: 'u2', resourceVersion: '1' }), key: ['k'] },
      { obj: obj('ns', 'fresh', { uid: 'u3', resourceVersion: '7' }), key: ['j'] },
    ]);
    assert.deepEqual(ids(store.list()), ['ns/fresh', 'ns/stays']);
    assert.deepEqual(ids(store.get('k')), ['ns/stays']);
    assert.deepEqual(ids(store.get('j')), ['ns/fresh']);
    assert.equal(store.size(), 2);
  });

  test('replace leaves an object whose uid and resourceVersion are unchanged alone', () => {
    const store = makeStore({ name: 'things', keyCount: 1 });
    store.add(obj('ns', 'a', { uid: 'u', resourceVersion: '3' }, { v: 'stored' }), ['k']);
    const before = store.modCount;
    const held = store.get('k')[0];
    store.replace([{ obj: obj('ns', 'a', { uid: 'u', resourceVersion: '3' }, { v: 'relisted' }), key: ['k'] }]);
    assert.equal(store.modCount, before);
    if (references) assert.equal(store.get('k')[0], held);
    else assert.deepEqual(store.get('k')[0]!.spec, { v: 'stored' });
  });

  test('replace upserts an object whose resourceVersion changed or is unknown', () => {
    const store = makeStore({ name: 'things', keyCount: 1 });
    store.add(obj('ns', 'a', { uid: 'u', resourceVersion: '3' }, { v: 1 }), ['k']);
    store.add(obj('ns', 'b', {}, { v: 1 }), ['k']);
    const before = store.modCount;
    store.replace([
      { obj: obj('ns', 'a', { uid: 'u', resourceVersion: '4' }, { v: 2 }), key: ['k'] },
      { obj: obj('ns', 'b', {}, { v: 2 }), key: ['k'] },
    ]);
    assert.ok(store.modCount > before);
    if (references) {
      assert.deepEqual(store.get('k').map((o) => o.metadata.resourceVersion), ['4', undefined]);
    } else {
      assert.deepEqual(
        store.get('k').map((o) => o.spec),
        [{ v: 2 }, { v: 2 }],
      );
    }
  });

  test('replace treats a changed uid as a new object (deleted and recreated while disconnected)', () => {
    const store = makeStore({ name: 'things', keyCount: 1 });
    store.add(obj('ns', 'a', { uid: 'old', resourceVersion: '3' }), ['k']);
    const before = store.modCount;
    store.replace([{ obj: obj('ns', 'a', { uid: 'new', resourceVersion: '3' }), key: ['k'] }]);
    assert.ok(store.modCount > before);
    assert.equal(store.get('k')[0]!.metadata.uid, 'new');
    assert.equal(store.size(), 1);
  });

  test('replace moves an object whose index key changed', () => {
    const store = makeStore({ name: 'things', keyCount: 1 });
    store.add(obj('ns', 'a', { uid: 'u', resourceVersion: '1' }), ['old']);
    store.replace([{ obj: obj('ns', 'a', { uid: 'u', resourceVersion: '2' }), key: ['new'] }]);
    assert.deepEqual(ids(store.get('old')), []);
    assert.deepEqual(ids(store.get('new')), ['ns/a']);
  });

  test('replace with an empty set empties the store', () => {
    const store = makeStore({ name: 'things', keyCount: 1 });
    store.add(obj('ns', 'a'), ['k']);
    store.add(obj('ns', 'b'), ['j']);
    store.replace([]);
    assert.equal(store.size(), 0);
    assert.deepEqual(store.list(), []);
  });
}

function errorsAndReadOnly(makeStore: MakeStore, references: boolean): void {
  test('get with more keys than the index has throws a StoreError naming the operation and keys', () => {
    const store = makeStore({ name: 'things', keyCount: 2 });
    assert.throws(
      () => store.get('a', 'b', 'c'),
      (err: unknown) =>
        err instanceof StoreError &&
        err.operation === 'get' &&
        err.store === 'things' &&
        JSON.stringify(err.keys) === '["a","b","c"]',
    );
  });

  test('add or update with a key of the wrong length throws a StoreError and stores nothing', () => {
    const store = makeStore({ name: 'things', keyCount: 2 });
    assert.throws(() => store.add(obj('ns', 'a'), ['only-one']), (err: unknown) => err instanceof StoreError && err.operation === 'add');
    assert.throws(
      () => store.update(obj('ns', 'a'), ['1', '2', '3']),
      (err: unknown) => err instanceof StoreError && err.operation === 'update',
    );
    assert.equal(store.size(), 0);
  });

  test('replace with a bad entry throws a StoreError and leaves the store as it was', () => {
    const store = makeStore({ name: 'things', keyCount: 1 });
    store.add(obj('ns', 'a'), ['k']);
    const before = store.modCount;
    assert.throws(
      () => store.replace([{ obj: obj('ns', 'b'), key: ['k'] }, { obj: obj('ns', 'c'), key: [] }]),
      (err: unknown) => err instanceof StoreError && err.operation === 'replace',
    );
    assert.deepEqual(ids(store.list()), ['ns/a']);
    assert.equal(store.modCount, before);
  });

  test('returned arrays and objects are frozen all the way down', () => {
    const store = makeStore({ name: 'things', keyCount: 1 });
    store.add(obj('ns', 'a', { labels: { app: 'web' } }, { rules: [{ host: 'x' }] }), ['k']);
    const results = store.get('k');
    const [first] = results;
    assert.ok(Object.isFrozen(results));
    assert.ok(Object.isFrozen(store.list()));
    assert.ok(Object.isFrozen(first));
    assert.throws(() => (results as KubeObject[]).push(obj('ns', 'z')), TypeError);
    if (references) {
      assert.ok(Object.isFrozen(first!.metadata));
      assert.throws(() => {
        first!.metadata.name = 'changed';
      }, TypeError);
      assert.equal(store.get('k')[0]!.metadata.name, 'a');
      return;
    }
    assert.ok(Object.isFrozen(first!.metadata.labels));
    assert.ok(Object.isFrozen((first!.spec as { rules: object[] }).rules[0]));
    assert.throws(() => {
      (first!.metadata.labels as Record<string, string>).app = 'changed';
    }, TypeError);
    assert.equal(store.get('k')[0]!.metadata.labels!.app, 'web');
  });
}

/** An object of `cluster` (metadata.cluster), as a source watching several clusters delivers it. */
function inCluster(cluster: string, namespace: string, name: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return obj(namespace, name, { cluster, ...extra });
}

/** "cluster|namespace/name" of each object, in order. */
function clusterIds(objects: readonly KubeObject[]): string[] {
  return objects.map((o) => `${o.metadata.cluster ?? ''}|${o.metadata.namespace ?? ''}/${o.metadata.name}`);
}

function clusters(makeStore: MakeStore): void {
  test('objects with the same namespace and name in two clusters are two objects', () => {
    const store = makeStore({ name: 'things', keyCount: 2 });
    store.add(inCluster('a', 'ns', 'web', { uid: 'ua' }), ['ns', 'web']);
    store.add(inCluster('b', 'ns', 'web', { uid: 'ub' }), ['ns', 'web']);
    store.add(obj('ns', 'web', { uid: 'u0' }), ['ns', 'web']);
    assert.equal(store.size(), 3);
    assert.deepEqual(clusterIds(store.get('ns', 'web')), ['|ns/web', 'a|ns/web', 'b|ns/web']);
    assert.deepEqual(store.list().map((o) => o.metadata.cluster), [undefined, 'a', 'b']);
  });

  test('results are sorted by namespace, then name, then cluster', () => {
    const store = makeStore({ name: 'things', keyCount: 1 });
    store.add(inCluster('b', 'ns1', 'x'), ['k']);
    store.add(inCluster('a', 'ns2', 'a'), ['k']);
    store.add(inCluster('a', 'ns1', 'x'), ['k']);
    store.add(inCluster('c', 'ns1', 'b'), ['k']);
    assert.deepEqual(clusterIds(store.get('k')), ['c|ns1/b', 'a|ns1/x', 'b|ns1/x', 'a|ns2/a']);
  });

  test('an update in one cluster leaves the object of the same name in another cluster alone', () => {
    const store = makeStore({ name: 'things', keyCount: 1 });
    store.add(inCluster('a', 'ns', 'web', { resourceVersion: '1' }), ['old']);
    store.add(inCluster('b', 'ns', 'web', { resourceVersion: '1' }), ['old']);
    store.update(inCluster('a', 'ns', 'web', { resourceVersion: '2' }), ['new']);
    assert.deepEqual(clusterIds(store.get('old')), ['b|ns/web']);
    assert.deepEqual(clusterIds(store.get('new')), ['a|ns/web']);
    assert.equal(store.get('old')[0]!.metadata.resourceVersion, '1');
  });

  test('a delete in one cluster never touches the object of the same name in another cluster', () => {
    const store = makeStore({ name: 'things', keyCount: 1 });
    store.add(inCluster('a', 'ns', 'web'), ['k']);
    store.add(inCluster('b', 'ns', 'web'), ['k']);
    store.add(obj('ns', 'web'), ['k']);
    store.delete({ metadata: { cluster: 'a', namespace: 'ns', name: 'web' } });
    assert.deepEqual(clusterIds(store.list()), ['|ns/web', 'b|ns/web']);
    store.delete({ metadata: { namespace: 'ns', name: 'web' } });
    assert.deepEqual(clusterIds(store.list()), ['b|ns/web']);
  });

  test('replace keeps the cluster apart: the listed set is exact per cluster/namespace/name', () => {
    const store = makeStore({ name: 'things', keyCount: 1 });
    store.add(inCluster('a', 'ns', 'web'), ['k']);
    store.add(inCluster('b', 'ns', 'web'), ['k']);
    store.replace([{ obj: inCluster('b', 'ns', 'web'), key: ['k'] }, { obj: inCluster('c', 'ns', 'web'), key: ['k'] }]);
    assert.deepEqual(clusterIds(store.list()), ['b|ns/web', 'c|ns/web']);
  });

  test('the cluster can be an index key: get by cluster, then namespace, then name', () => {
    const store = makeStore({ name: 'things', keyCount: 3 });
    store.add(inCluster('a', 'ns', 'web'), ['a', 'ns', 'web']);
    store.add(inCluster('b', 'ns', 'web'), ['b', 'ns', 'web']);
    store.add(inCluster('root:org:ws', 'ns', 'web'), ['root:org:ws', 'ns', 'web']);
    assert.deepEqual(clusterIds(store.get('b', 'ns', 'web')), ['b|ns/web']);
    assert.deepEqual(clusterIds(store.get('root:org:ws')), ['root:org:ws|ns/web']);
    assert.deepEqual(store.get('a', 'ns', 'web')[0]!.metadata.cluster, 'a');
  });
}

function multipleKeys(makeStore: MakeStore): void {
  test('an object with several keys is found by each of them, and once by a prefix several of them match', () => {
    const store = makeStore({ name: 'ingresses', keyCount: 2 });
    store.add(obj('shop', 'web'), [['a.example', 'tls-a'], ['b.example', 'tls-a'], ['b.example', 'tls-b']]);
    store.add(obj('shop', 'api'), [['b.example', 'tls-b']]);
    assert.deepEqual(ids(store.get('a.example', 'tls-a')), ['shop/web']);
    assert.deepEqual(ids(store.get('b.example', 'tls-a')), ['shop/web']);
    assert.deepEqual(ids(store.get('b.example')), ['shop/api', 'shop/web']);
    assert.deepEqual(ids(store.get()), ['shop/api', 'shop/web']);
    assert.deepEqual(ids(store.list()), ['shop/api', 'shop/web']);
    assert.equal(store.size(), 2);
  });

  test('a key listed twice files the object once', () => {
    const store = makeStore({ name: 'ingresses', keyCount: 1 });
    store.add(obj('shop', 'web'), [['a'], ['a'], ['b'], ['a']]);
    assert.deepEqual(ids(store.get('a')), ['shop/web']);
    assert.deepEqual(ids(store.list()), ['shop/web']);
    if (hasKeysOf(store)) assert.deepEqual(store.keysOf(obj('shop', 'web')), [['a'], ['b']]);
  });

  test('an update that changes the keys moves every entry and leaves no trace under a key it lost', () => {
    const store = makeStore({ name: 'ingresses', keyCount: 1 });
    store.add(obj('shop', 'web', { resourceVersion: '1' }), [['a'], ['b'], ['c']]);
    store.add(obj('shop', 'mate'), [['b']]);
    store.update(obj('shop', 'web', { resourceVersion: '2' }), [['c'], ['d']]);
    assert.deepEqual(ids(store.get('a')), []);
    assert.deepEqual(ids(store.get('b')), ['shop/mate']);
    assert.deepEqual(store.get('c').map((o) => o.metadata.resourceVersion), ['2']);
    assert.deepEqual(store.get('d').map((o) => o.metadata.resourceVersion), ['2']);
    store.update(obj('shop', 'web', { resourceVersion: '3' }), ['e']);
    assert.deepEqual(ids(store.get('c')), []);
    assert.deepEqual(ids(store.get('d')), []);
    assert.deepEqual(ids(store.get('e')), ['shop/web']);
    store.update(obj('shop', 'web', { resourceVersion: '4' }), [['e'], ['f']]);
    assert.deepEqual(ids(store.get('f')), ['shop/web']);
    assert.deepEqual(ids(store.list()), ['shop/mate', 'shop/web']);
    if (hasKeysOf(store)) assert.deepEqual(store.keysOf(obj('shop', 'web')), [['e'], ['f']]);
  });

  test('a new version under the same keys is what every key returns', () => {
    const store = makeStore({ name: 'ingresses', keyCount: 1 });
    for (let i = 0; i < 8; i++) store.add(obj('shop', `other-${i}`), [['a'], [`k${i}`]]);
    store.add(obj('shop', 'web', { resourceVersion: '1' }), [['a'], ['b']]);
    const readBefore = [store.get('a'), store.get('b'), store.get(), store.list()];
    store.update(obj('shop', 'web', { resourceVersion: '2' }), [['a'], ['b']]);
    const version = (objects: readonly KubeObject[]): string[] =>
      objects.filter((o) => o.metadata.name === 'web').map((o) => o.metadata.resourceVersion ?? '');
    for (const read of [store.get('a'), store.get('b'), store.get(), store.list()]) assert.deepEqual(version(read), ['2']);
    for (const read of readBefore) assert.deepEqual(version(read), ['1']);
    assert.equal(store.size(), 9);
  });

  test('delete removes the object under every key and never its key-mates', () => {
    const store = makeStore({ name: 'ingresses', keyCount: 1 });
    store.add(obj('shop', 'web'), [['a'], ['b']]);
    store.add(obj('shop', 'mate'), [['a'], ['b']]);
    store.delete(obj('shop', 'web'));
    assert.deepEqual(ids(store.get('a')), ['shop/mate']);
    assert.deepEqual(ids(store.get('b')), ['shop/mate']);
    assert.equal(store.size(), 1);
    if (hasKeysOf(store)) assert.deepEqual(store.keysOf(obj('shop', 'web')), []);
  });

  test('replace leaves an unchanged object with unchanged keys alone, and moves one whose keys changed', () => {
    const store = makeStore({ name: 'ingresses', keyCount: 1 });
    store.add(obj('shop', 'web', { uid: 'u1', resourceVersion: '1' }), [['a'], ['b']]);
    store.add(obj('shop', 'api', { uid: 'u2', resourceVersion: '1' }), [['a'], ['b']]);
    const before = store.modCount;
    store.replace([
      { obj: obj('shop', 'web', { uid: 'u1', resourceVersion: '1' }), key: [['a'], ['b']] },
      { obj: obj('shop', 'api', { uid: 'u2', resourceVersion: '1' }), key: [['a'], ['b']] },
    ]);
    assert.equal(store.modCount, before);
    store.replace([
      { obj: obj('shop', 'web', { uid: 'u1', resourceVersion: '1' }), key: [['a'], ['b']] },
      { obj: obj('shop', 'api', { uid: 'u2', resourceVersion: '2' }), key: [['b'], ['c']] },
    ]);
    assert.ok(store.modCount > before);
    assert.deepEqual(ids(store.get('a')), ['shop/web']);
    assert.deepEqual(ids(store.get('b')), ['shop/api', 'shop/web']);
    assert.deepEqual(ids(store.get('c')), ['shop/api']);
  });

  test('a list of keys with a bad key throws a StoreError and stores nothing', () => {
    const store = makeStore({ name: 'ingresses', keyCount: 2 });
    assert.throws(
      () => store.add(obj('shop', 'web'), [['a', '1'], ['b']]),
      (err: unknown) => err instanceof StoreError && err.operation === 'add' && JSON.stringify(err.keys) === '["b"]',
    );
    assert.equal(store.size(), 0);
    assert.deepEqual(store.get(), []);
  });

  test('clear removes objects with several keys from every key', () => {
    const store = makeStore({ name: 'ingresses', keyCount: 1 });
    store.add(obj('shop', 'web'), [['a'], ['b']]);
    store.clear();
    assert.deepEqual(store.get('a'), []);
    assert.deepEqual(store.list(), []);
    store.add(obj('shop', 'web'), [['b'], ['c']]);
    assert.deepEqual(ids(store.get()), ['shop/web']);
  });
}

function multipleKeysModel(makeStore: MakeStore): void {
  test('under random adds, updates, deletes and replaces with several keys, every read equals a plain model', () => {
    const random = seededRandom(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const values = ['x', 'y', 'z'];
    const randomKeys = (): IndexKey[] => Array.from({ length: 1 + Math.floor(random() * 4) }, () => [pick(values), pick(values)]);
    const store = makeStore({ name: 'model', keyCount: 2 });
    const model = new Map<string, { keys: IndexKey[]; rv: string }>();
    const expected = (prefix: readonly string[]): string[] =>
      [...model]
        .filter(([, { keys }]) => keys.some((key) => prefix.every((part, i) => key[i] === part)))
        .map(([name, { rv }]) => `${name}@${rv}`)
        .sort();
    const seen = (objects: readonly KubeObject[]): string[] => objects.map((o) => `${o.metadata.name}@${o.metadata.resourceVersion}`);
    for (let step = 0; step < 400; step++) {
      const action = random();
      const rv = String(step);
      if (action < 0.6) {
        const name = pick(names);
        const held = model.get(name);
        const keys = held !== undefined && random() < 0.5 ? held.keys : randomKeys();
        store.update(obj('ns', name, { uid: name, resourceVersion: rv }), keys);
        model.set(name, { keys, rv });
      } else if (action < 0.85) {
        const name = pick(names);
        store.delete(obj('ns', name));
        model.delete(name);
      } else {
        const listed = names.filter(() => random() < 0.7).map((name) => {
          const held = model.get(name);
          return held !== undefined && random() < 0.5 ? { name, ...held } : { name, keys: randomKeys(), rv };
        });
        store.replace(listed.map(({ name, keys, rv: version }) => ({ obj: obj('ns', name, { uid: name, resourceVersion: version }), key: keys })));
        model.clear();
        for (const { name, keys, rv: version } of listed) model.set(name, { keys, rv: version });
      }
      for (const prefix of [[], [pick(values)], [pick(values), pick(values)]]) {
        assert.deepEqual(seen(store.get(...prefix)), expected(prefix), `step ${step}: get(${prefix.join(', ')})`);
      }
      assert.deepEqual(seen(store.list()), expected([]), `step ${step}: list`);
      assert.equal(store.size(), model.size);
    }
  });
}
