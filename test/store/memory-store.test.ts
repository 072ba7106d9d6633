import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compareByNamespaceName, type KubeObject } from '../../src/k8s.ts';
import { StoreError } from '../../src/store/index.ts';
import { MemoryStore, fullStoreBackend } from '../../src/store/memory-store.ts';
import { StoreRegistry } from '../../src/store/registry.ts';
import { runStoreContract } from './contract.ts';
import { seededRandom } from '../support/apiserver/random.ts';
import { watchedResource } from '../support/builders.ts';

runStoreContract('MemoryStore', (options) => new MemoryStore(options));

function obj(namespace: string, name: string, extra: Record<string, unknown> = {}): KubeObject {
  return { metadata: { namespace, name, ...extra } };
}

describe('MemoryStore', () => {
  test('repeated gets between changes return the same cached array', () => {
    const store = new MemoryStore({ name: 'things', keyCount: 2 });
    store.add(obj('ns', 'a'), ['ns', 'a']);
    store.add(obj('ns', 'b'), ['ns', 'b']);
    store.add(obj('other', 'c'), ['other', 'c']);
    assert.equal(store.get('ns', 'a'), store.get('ns', 'a'));
    assert.equal(store.get('ns'), store.get('ns'));
    assert.equal(store.list(), store.list());
    assert.equal(store.get(), store.list());
  });

  test('a change drops the cached results on its own path only', () => {
    const store = new MemoryStore({ name: 'things', keyCount: 2 });
    store.add(obj('ns', 'a'), ['ns', 'a']);
    store.add(obj('other', 'c'), ['other', 'c']);
    const untouched = store.get('other');
    const list = store.list();
    store.add(obj('ns', 'b'), ['ns', 'b']);
    assert.equal(store.get('other'), untouched);
    assert.notEqual(store.list(), list);
    assert.equal(store.list().length, 3);
  });

  test('keyCount 0 files every object under the empty key', () => {
    const store = new MemoryStore({ name: 'things', keyCount: 0 });
    store.add(obj('ns', 'b'), []);
    store.add(obj('ns', 'a'), []);
    assert.deepEqual(
      store.get().map((o) => o.metadata.name),
      ['a', 'b'],
    );
    assert.throws(() => store.get('x'), StoreError);
  });

  test('a negative or fractional keyCount is refused', () => {
    assert.throws(() => new MemoryStore({ name: 'things', keyCount: -1 }), RangeError);
    assert.throws(() => new MemoryStore({ name: 'things', keyCount: 1.5 }), RangeError);
  });

  test('the full backend builds a MemoryStore named after the resource with its keyCount', () => {
    const options = { name: 'ingresses', keyCount: 3, cacheTtlMs: 600_000, maxCacheSize: 256 };
    const store = new StoreRegistry().register(fullStoreBackend).build('full', options);
    assert.ok(store instanceof MemoryStore);
    assert.equal(store.name, 'ingresses');
    assert.equal(store.keyCount, 3);
  });

  test('a key component that is not a string is a StoreError on add and on get', () => {
    const store = new MemoryStore({ name: 'things', keyCount: 1 });
    assert.throws(
      () => store.add(obj('ns', 'a'), [42 as unknown as string]),
      (err: unknown) => err instanceof StoreError && /index key 0 is a number/.test(err.message),
    );
    assert.throws(
      () => store.get(42 as unknown as string),
      (err: unknown) => err instanceof StoreError && err.operation === 'get' && err.keys[0] === '42',
    );
  });

  test('an object without metadata.name is a StoreError naming the operation', () => {
    const store = new MemoryStore({ name: 'things', keyCount: 1 });
    const nameless = { metadata: {} } as KubeObject;
    assert.throws(() => store.add(nameless, ['k']), (err: unknown) => err instanceof StoreError && err.operation === 'add');
    assert.throws(() => store.delete(nameless), (err: unknown) => err instanceof StoreError && err.operation === 'delete');
  });

  test('the object handed to add is frozen in place by the time the store returns it, since the store owns it', () => {
    const store = new MemoryStore({ name: 'things', keyCount: 1 });
    const given = obj('ns', 'a', { labels: { app: 'web' } });
    store.add(given, ['k']);
    assert.equal(store.get('k')[0], given);
    assert.ok(Object.isFrozen(given.metadata.labels));
  });

  test('objects sharing subtrees, or holding a cycle, are frozen without looping', () => {
    const store = new MemoryStore({ name: 'things', keyCount: 1 });
    const shared = { port: 80 };
    const cyclic: Record<string, unknown> = { shared };
    cyclic.self = cyclic;
    store.add({ metadata: { name: 'a' }, spec: { a: shared, b: shared, cyclic } }, ['k']);
    store.list();
    assert.ok(Object.isFrozen(shared));
    assert.ok(Object.isFrozen(cyclic));
  });

  test('every way out of the store freezes: exact get, prefix get, list, lookup and a patched list', () => {
    const store = new MemoryStore({ name: 'things', keyCount: 2 });
    const fresh = (name: string, version = 1, namespace = 'ns'): KubeObject => obj(namespace, name, { labels: { v: String(version) } });
    const frozen = (o: KubeObject | undefined): boolean => o !== undefined && Object.isFrozen(o.metadata.labels);
    store.add(fresh('a'), ['ns', 'a']);
    store.add(fresh('b'), ['ns', 'b']);
    store.add(fresh('c', 1, 'other'), ['other', 'c']);
    assert.ok(frozen(store.get('ns', 'a')[0]));
    assert.ok(store.get('ns').every(frozen));
    assert.ok(store.list().every(frozen));
    store.update(fresh('b', 2), ['ns', 'b']);
    assert.ok(store.list().every(frozen), 'the cached list is patched with the new version, frozen');
    store.update(fresh('c', 2, 'other'), ['other', 'c']);
    assert.ok(frozen(store.lookup('other', 'c')));
  });

  test('objects of different tenants with equal strings read back exactly as given, and neither can change the other', () => {
    const store = new MemoryStore({ name: 'things', keyCount: 2 });
    const image = 'registry.example.com/shared/app:1.0.0';
    const given = ['tenant-a', 'tenant-b'].map((ns) => obj(ns, 'app', { labels: { image, owner: `${ns}-owner-long` }, list: [image, ns] }));
    const expected = structuredClone(given);
    for (const o of given) store.add(o, [o.metadata.namespace!, o.metadata.name]);
    const [a, b] = store.list();
    assert.deepEqual([a, b], expected);
    assert.throws(() => {
      (a!.metadata.labels as Record<string, string>).image = 'evil';
    }, TypeError);
    assert.equal(b!.metadata.labels!.image, image);
  });

  test('an exact get checks its keys when nothing matches', () => {
    const store = new MemoryStore({ name: 'things', keyCount: 2 });
    store.add(obj('ns', 'a'), ['ns', 'a']);
    assert.equal(store.get('ns', 'a').length, 1);
    assert.equal(store.get('ns', 'zzz').length, 0);
    assert.throws(() => store.get('ns', 1 as unknown as string), (err: unknown) => err instanceof StoreError && err.operation === 'get');
    assert.throws(() => store.get('ns', 'a', 'x'), (err: unknown) => err instanceof StoreError && err.operation === 'get');
  });

  test('a re-add of the very same object under the same key is not a change', () => {
    const store = new MemoryStore({ name: 'things', keyCount: 1 });
    const same = obj('ns', 'a');
    store.add(same, ['k']);
    const before = store.modCount;
    store.update(same, ['k']);
    assert.equal(store.modCount, before);
    store.update(same, ['j']);
    assert.ok(store.modCount > before);
    assert.deepEqual(store.get('k'), []);
  });

  test('random operations agree with a plain reference model', () => {
    const store = new MemoryStore({ name: 'things', keyCount: 2 });
    const model = new Map<string, { obj: KubeObject; key: string[] }>();
    const random = seededRandom(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    for (let step = 0; step < 3000; step++) {
      const ns = pick(['a', 'b', 'c/d', '']);
      const name = pick(['x', 'y', 'z', 'w/v']);
      const id = `${ns}\u0000${name}`;
      const key = [pick(['k1', 'k2', 'k/3']), pick(['', 'p', 'q/r'])];
      const op = random();
      if (op < 0.5) {
        const o: KubeObject = { metadata: { name, ...(ns === '' ? {} : { namespace: ns }), resourceVersion: String(step) } };
        store.update(o, key);
        model.set(id, { obj: o, key });
      } else if (op < 0.8) {
        store.delete({ metadata: { name, ...(ns === '' ? {} : { namespace: ns }) } });
        model.delete(id);
      } else {
        const prefix = key.slice(0, Math.floor(random() * 3));
        const expected = [...model.values()]
          .filter((e) => prefix.every((k, i) => e.key[i] === k))
          .map((e) => e.obj)
          .sort(compareByNamespaceName);
        assert.deepEqual(store.get(...prefix), expected, `step ${step}, prefix ${JSON.stringify(prefix)}`);
      }
      assert.equal(store.size(), model.size);
    }
  });
});
