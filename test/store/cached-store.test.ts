import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/k8s.ts';
import { CachedStore, DEFAULTS, onDemandStoreBackend, type CachedStoreOptions } from '../../src/store/cached-store.ts';
import { FetchError, isOnDemandStore, type FetchOutcome } from '../../src/store/index.ts';
import { StoreRegistry, type StoreOptions } from '../../src/store/registry.ts';
import { runStoreContract } from './contract.ts';
import { FakeFetcher, secret } from './fake-fetcher.ts';
import { watchedResource } from '../support/builders.ts';
import { eventually } from '../support/waiters.ts';

runStoreContract(
  'CachedStore',
  (options) => new CachedStore({ ...options, fetcher: new FakeFetcher(), maxEntries: 8, ttlMs: 60_000 }),
  { references: true },
);

/** A store over a fresh FakeFetcher, with a clock the test moves. */
function setup(options: Partial<CachedStoreOptions> = {}) {
  const fetcher = new FakeFetcher();
  // lru-cache reads a start time of 0 as "no TTL": the fake clock starts later.
  const clock = { now: 1_000_000 };
  const store = new CachedStore({
    name: 'secrets',
    keyCount: 2,
    fetcher,
    maxEntries: 16,
    ttlMs: 60_000,
    now: () => clock.now,
    ...options,
  });
  /** Puts `obj` on the server and files its reference, as a watch event would. */
  const watch = (obj: KubeObject): KubeObject => {
    fetcher.put(obj);
    store.update(structuredClone(obj), [obj.metadata.namespace!, obj.metadata.name]);
    return store.get(obj.metadata.namespace!, obj.metadata.name)[0]!;
  };
  return { store, fetcher, clock, watch };
}

function body(outcome: FetchOutcome): KubeObject {
  assert.equal(outcome.state, 'hit', `expected a body, got ${outcome.state}`);
  return (outcome as { obj: KubeObject }).obj;
}

describe('CachedStore', () => {
  test('keeps only references: identity, uid and resourceVersion, no body', () => {
    const { store, watch } = setup();
    watch(secret('web', 'tls', '7', { 'tls.crt': 'Y2VydA==' }));
    assert.deepEqual(store.get('web'), [{ metadata: { namespace: 'web', name: 'tls', uid: 'uid-web-tls', resourceVersion: '7' } }]);
    assert.ok(isOnDemandStore(store));
  });

  test('references keep the cluster, and a body is fetched from the cluster of its reference', async () => {
    const { store, fetcher } = setup({ keyCount: 3 });
    for (const cluster of ['a', 'root:ws']) {
      const obj = { ...secret('web', 'tls', '7', { v: cluster }), metadata: { ...secret('web', 'tls', '7').metadata, cluster } };
      fetcher.put(obj);
      store.update(structuredClone(obj), [cluster, 'web', 'tls']);
    }
    const [refA] = store.get('a');
    const [refWs] = store.get('root:ws');
    assert.equal(refA!.metadata.cluster, 'a');
    assert.deepEqual(body(await store.fetch(refA!)).data, { v: 'a' });
    assert.deepEqual(body(await store.fetch(refWs!)).data, { v: 'root:ws' });
    assert.deepEqual(fetcher.gets.map((g) => g.cluster), ['a', 'root:ws']);
    store.delete({ metadata: { cluster: 'a', namespace: 'web', name: 'tls' } });
    assert.equal(store.cached(refWs!).state, 'hit');
  });

  test('a failed GET of an object of a cluster names the cluster', async () => {
    const { store, fetcher } = setup();
    const obj: KubeObject = { ...secret('web', 'tls', '7'), metadata: { ...secret('web', 'tls', '7').metadata, cluster: 'b' } };
    fetcher.put(obj);
    fetcher.failures.set('b|web/tls', new Error('forbidden'));
    store.update(structuredClone(obj), ['web', 'tls']);
    const outcome = await store.fetch(store.get('web', 'tls')[0]!);
    assert.equal(outcome.state, 'failed');
    const error = (outcome as { error: { reason: string; cluster?: string } }).error;
    assert.equal(error.reason, 'fetching b|web/tls failed: forbidden');
    assert.equal(error.cluster, 'b');
  });

  test('a fetched body is cached, deep-frozen and served without another GET', async () => {
    const { store, fetcher, watch } = setup();
    const ref = watch(secret('web', 'tls', '7', { 'tls.crt': 'Y2VydA==' }));
    assert.equal(store.cached(ref).state, 'miss');
    const fetched = body(await store.fetch(ref));
    assert.deepEqual(fetched.data, { 'tls.crt': 'Y2VydA==' });
    assert.ok(Object.isFrozen(fetched.data));
    assert.deepEqual(store.cached(ref), { state: 'hit', obj: fetched });
    assert.equal(body(await store.fetch(ref)), fetched);
    assert.equal(fetcher.count(), 1);
    assert.deepEqual(store.stats(), { hits: 1, misses: 1, fetches: 1, fetchErrors: 0, notFound: 0, evictions: 0, entries: 1, fullReads: 0 });
  });

  test('concurrent fetches of one object share a single GET', async () => {
    const { store, fetcher, watch } = setup();
    const ref = watch(secret('web', 'tls', '7'));
    fetcher.hold();
    const all = Promise.all([store.fetch(ref), store.fetch(ref), store.fetch(ref)]);
    await eventually(() => fetcher.waiting === 1, 'the GET is in flight', { intervalMs: 0 });
    fetcher.release();
    const outcomes = await all;
    assert.equal(fetcher.count('web/tls'), 1);
    assert.ok(outcomes.every((o) => body(o) === body(outcomes[0]!)));
  });

  test('fetching never changes modCount: only references do', async () => {
    const { store, watch } = setup();
    const ref = watch(secret('web', 'tls', '7'));
    const before = store.modCount;
    await store.fetch(ref);
    store.cached(ref);
    assert.equal(store.modCount, before);
  });

  test('a new version evicts the cached body at once; the same version keeps it', async () => {
    const { store, fetcher, watch } = setup();
    const ref = watch(secret('web', 'tls', '7', { v: 'MQ==' }));
    await store.fetch(ref);
    store.update(secret('web', 'tls', '7', { v: 'MQ==' }), ['web', 'tls']);
    assert.equal(store.cached(store.get('web', 'tls')[0]!).state, 'hit');
    const changed = watch(secret('web', 'tls', '8', { v: 'Mg==' }));
    assert.equal(store.cached(changed).state, 'miss');
    assert.deepEqual(body(await store.fetch(changed)).data, { v: 'Mg==' });
    assert.equal(fetcher.count('web/tls'), 2);
    assert.equal(store.stats().evictions, 1);
  });

  test('a reader holding an older reference never gets the newer body, nor the older one', async () => {
    const { store, watch } = setup();
    const old = watch(secret('web', 'tls', '7'));
    watch(secret('web', 'tls', '8'));
    await store.fetch(store.get('web', 'tls')[0]!);
    assert.equal(store.cached(old).state, 'miss');
    assert.equal((await store.fetch(old)).state, 'superseded');
  });

  test('delete evicts the body; replace evicts changed and vanished objects and keeps the rest', async () => {
    const { store, watch } = setup();
    const refs = ['a', 'b', 'c', 'd'].map((name) => watch(secret('web', name, '1')));
    await Promise.all(refs.map((ref) => store.fetch(ref)));
    store.delete(secret('web', 'a', '1'));
    assert.equal(store.cached(refs[0]!).state, 'miss');
    store.replace([
      { obj: secret('web', 'b', '1'), key: ['web', 'b'] },
      { obj: secret('web', 'c', '2'), key: ['web', 'c'] },
    ]);
    assert.equal(store.cached(store.get('web', 'b')[0]!).state, 'hit');
    assert.equal(store.cached(store.get('web', 'c')[0]!).state, 'miss');
    assert.equal(store.cached(refs[3]!).state, 'miss');
    assert.equal(store.stats().entries, 1);
  });

  test('a change while the GET is in flight aborts it: the older body is never cached', async () => {
    const { store, fetcher, watch } = setup();
    const ref = watch(secret('web', 'tls', '7'));
    fetcher.hold();
    const pending = store.fetch(ref);
    await eventually(() => fetcher.waiting === 1, 'the GET is in flight', { intervalMs: 0 });
    const changed = watch(secret('web', 'tls', '8'));
    assert.ok(fetcher.gets[0]!.signal.aborted);
    assert.equal((await pending).state, 'superseded');
    fetcher.release();
    assert.equal(store.cached(changed).state, 'miss');
    assert.equal(store.stats().fetchErrors, 0);
  });

  test('a 404 reads as not found, is remembered briefly, then asked again', async () => {
    const { store, fetcher, clock } = setup();
    store.add(secret('web', 'gone', '3'), ['web', 'gone']);
    const ref = store.get('web', 'gone')[0]!;
    assert.equal((await store.fetch(ref)).state, 'not-found');
    assert.equal(store.cached(ref).state, 'not-found');
    clock.now += DEFAULTS.notFoundTtlMs - 1;
    assert.equal(store.cached(ref).state, 'not-found');
    clock.now += 2;
    assert.equal(store.cached(ref).state, 'miss');
    await store.fetch(ref);
    assert.equal(fetcher.count('web/gone'), 2);
    assert.equal(store.stats().notFound, 2);
  });

  test('a body expires after the TTL and is fetched again', async () => {
    const { store, fetcher, clock, watch } = setup({ ttlMs: 600_000 });
    const ref = watch(secret('web', 'tls', '7'));
    await store.fetch(ref);
    clock.now += 599_999;
    assert.equal(store.cached(ref).state, 'hit');
    clock.now += 2;
    assert.equal(store.cached(ref).state, 'miss');
    await store.fetch(ref);
    assert.equal(fetcher.count('web/tls'), 2);
    assert.equal(store.stats().evictions, 1);
  });

  test('the cache holds at most maxEntries bodies, dropping the least recently used', async () => {
    const { store, fetcher, watch } = setup({ maxEntries: 2 });
    const [a, b, c] = ['a', 'b', 'c'].map((name) => watch(secret('web', name, '1')));
    await store.fetch(a!);
    await store.fetch(b!);
    store.cached(a!);
    await store.fetch(c!);
    assert.equal(store.stats().entries, 2);
    assert.equal(store.cached(a!).state, 'hit');
    assert.equal(store.cached(b!).state, 'miss');
    assert.equal(store.stats().evictions, 1);
    assert.equal(fetcher.count(), 3);
  });

  test('at most fetchConcurrency GETs are in flight, and at most half the cache', async () => {
    const { store, fetcher, watch } = setup({ fetchConcurrency: 3, maxEntries: 100 });
    const refs = Array.from({ length: 10 }, (_, i) => watch(secret('web', `s${i}`, '1')));
    fetcher.hold();
    const all = Promise.all(refs.map((ref) => store.fetch(ref)));
    await eventually(() => fetcher.waiting === 3, 'three GETs are in flight', { intervalMs: 0 });
    while (fetcher.count() < 10 || fetcher.waiting > 0) {
      fetcher.release();
      fetcher.hold();
      await eventually(() => fetcher.waiting > 0 || fetcher.count() === 10, 'the next GETs are in flight, or all ten were sent', { intervalMs: 0 });
    }
    fetcher.release();
    assert.ok((await all).every((o) => o.state === 'hit'));
    assert.equal(fetcher.maxInFlight, 3);

    const tiny = setup({ maxEntries: 1 });
    const pair = ['a', 'b'].map((name) => tiny.watch(secret('web', name, '1')));
    const outcomes = await Promise.all(pair.map((ref) => tiny.store.fetch(ref)));
    assert.deepEqual(outcomes.map((o) => body(o).metadata.name), ['a', 'b']);
    assert.equal(tiny.fetcher.maxInFlight, 1);
  });

  test('a failed GET is reported with the store, the object and the cause, and is not cached', async () => {
    const { store, fetcher, watch } = setup();
    const ref = watch(secret('web', 'locked', '1'));
    const denied = new Error('forbidden: cannot get secrets web/locked; grant get (RBAC)');
    fetcher.failures.set('web/locked', denied);
    const outcome = await store.fetch(ref);
    assert.equal(outcome.state, 'failed');
    const error = (outcome as { error: FetchError }).error;
    assert.ok(error instanceof FetchError);
    assert.equal(error.message, 'store "secrets": fetching web/locked failed: forbidden: cannot get secrets web/locked; grant get (RBAC)');
    assert.deepEqual([error.store, error.namespace, error.object, error.operation], ['secrets', 'web', 'locked', 'fetch']);
    assert.equal(error.cause, denied);
    assert.equal(store.cached(ref).state, 'miss');
    fetcher.failures.clear();
    assert.equal((await store.fetch(ref)).state, 'hit');
    assert.equal(store.stats().fetchErrors, 1);
  });

  test('a GET that takes longer than the timeout is aborted and fails naming the timeout', async () => {
    const timeouts: Array<{ ms: number; controller: AbortController }> = [];
    const timeoutSignal = (ms: number): AbortSignal => {
      const controller = new AbortController();
      timeouts.push({ ms, controller });
      return controller.signal;
    };
    const { store, fetcher, watch } = setup({ timeoutSignal });
    const ref = watch(secret('web', 'slow', '1'));
    fetcher.hold();
    const pending = store.fetch(ref);
    await eventually(() => fetcher.waiting === 1, 'the GET is in flight', { intervalMs: 0 });
    assert.equal(timeouts[0]!.ms, DEFAULTS.fetchTimeoutMs);
    timeouts[0]!.controller.abort(new DOMException('timed out', 'TimeoutError'));
    const outcome = await pending;
    assert.equal(outcome.state, 'failed');
    assert.match((outcome as { error: FetchError }).error.message, /^store "secrets": fetching web\/slow timed out after 10000 ms$/);
    assert.ok(fetcher.gets[0]!.signal.aborted, 'the GET itself was aborted');
    fetcher.release();
  });

  test('a fetcher that ignores its signal still cannot hold a fetch past the timeout', async () => {
    const controller = new AbortController();
    const store = new CachedStore({
      name: 'secrets',
      keyCount: 2,
      maxEntries: 4,
      ttlMs: 1000,
      fetcher: { fetch: () => new Promise(() => {}) },
      timeoutSignal: () => controller.signal,
    });
    store.add(secret('web', 'hung', '1'), ['web', 'hung']);
    const pending = store.fetch(store.get('web', 'hung')[0]!);
    controller.abort();
    assert.equal((await pending).state, 'failed');
  });

  test('clear drops every reference and body', async () => {
    const { store, watch } = setup();
    const ref = watch(secret('web', 'tls', '1'));
    await store.fetch(ref);
    store.clear();
    assert.equal(store.size(), 0);
    assert.equal(store.stats().entries, 0);
  });

  test('clearCache drops every cached body but no reference: the next read fetches again, modCount stays', async () => {
    const { store, fetcher, watch } = setup();
    const refs = [watch(secret('web', 'a', '1')), watch(secret('web', 'b', '1'))];
    for (const ref of refs) await store.fetch(ref);
    const before = store.modCount;
    assert.equal(store.clearCache(), 2);
    assert.deepEqual([store.size(), store.stats().entries, store.modCount], [2, 0, before]);
    assert.equal(store.cached(refs[0]!).state, 'miss');
    await store.fetch(refs[0]!);
    assert.equal(fetcher.count('web/a'), 2);
    assert.equal(store.clearCache(), 1);
    assert.equal(store.clearCache(), 0);
  });

  test('evictExpired drops the bodies past their TTL and keeps the fresh ones', async () => {
    const { store, clock, watch } = setup({ ttlMs: 60_000 });
    const old = watch(secret('web', 'old', '1'));
    await store.fetch(old);
    clock.now += 50_000;
    const fresh = watch(secret('web', 'fresh', '1'));
    await store.fetch(fresh);
    clock.now += 20_000;
    assert.equal(store.stats().entries, 2, 'lru-cache drops expired bodies only when they are read');
    assert.equal(store.evictExpired(), 1);
    assert.equal(store.stats().entries, 1);
    assert.equal(store.cached(fresh).state, 'hit');
    assert.equal(store.evictExpired(), 0);
  });

  test('counts reads of the whole store', () => {
    const { store } = setup();
    store.noteFullRead();
    store.noteFullRead();
    assert.equal(store.stats().fullReads, 2);
  });

  test('maxEntries and ttlMs must be positive', () => {
    const base = { name: 'secrets', keyCount: 1, fetcher: new FakeFetcher() };
    assert.throws(() => new CachedStore({ ...base, maxEntries: 0, ttlMs: 1 }), /maxEntries must be a positive integer, got 0/);
    assert.throws(() => new CachedStore({ ...base, maxEntries: 1.5, ttlMs: 1 }), /maxEntries/);
    assert.throws(() => new CachedStore({ ...base, maxEntries: 1, ttlMs: 0 }), /ttlMs must be a positive number, got 0/);
  });
});

describe('the on-demand store backend', () => {
  const options: StoreOptions = { name: 'secrets', keyCount: 2, cacheTtlMs: 5_000, maxCacheSize: 3 };

  test('builds a CachedStore with max_cache_size and cache_ttl over the fetcher it is given', async () => {
    const registry = new StoreRegistry().register(onDemandStoreBackend);
    const fetcher = new FakeFetcher();
    const store = registry.build('on-demand', { ...options, fetcher });
    assert.ok(store instanceof CachedStore);
    assert.equal(store.name, 'secrets');
    assert.equal(store.keyCount, 2);
    for (const name of ['a', 'b', 'c', 'd']) {
      fetcher.put(secret('web', name, '1'));
      store.add(secret('web', name, '1'), ['web', name]);
      await store.fetch(store.get('web', name)[0]!);
    }
    assert.equal(store.stats().entries, 3);
  });

  test('refuses to build without a fetcher, naming the resource', () => {
    const registry = new StoreRegistry().register(onDemandStoreBackend);
    assert.throws(() => registry.build('on-demand', options), /watched resource "secrets": store on-demand needs a source that can read single objects/);
  });
});
