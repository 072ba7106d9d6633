/**
 * Writes etcd refuses for good (a value above --max-request-bytes, a name that cannot be
 * a key): the publisher skips only those objects, reports each refused version once, keeps
 * publishing the rest, tries a refused object again when it changes, and stays fenced.
 * The memory repository refuses oversized requests as etcd does (maxRequestBytes).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyLayout } from '../../src/kv/layout.ts';
import { MemoryRepository } from '../../src/kv/memory/repository.ts';
import { ObjectRejectedError } from '../../src/publish/rejections.ts';
import type { PublisherMetrics } from '../../src/publish/publisher.ts';
import { FlakyRepository } from './support/flaky-repository.ts';
import { contents, publisherOf, put, service, servicesResource } from './support/publishing.ts';
import { eventually } from '../support/waiters.ts';

const layout = new KeyLayout('informant');
const EAST = layout.clusterPrefix('', 'services', 'east');
const PUBLISHER_KEY = layout.publisherKey('east');
/** etcd's default request limit. */
const LIMIT = 1.5 * 1024 * 1024;

/** A Service whose value is larger than etcd accepts. */
function huge(namespace: string, name: string, resourceVersion = '1', bytes = 1_600_000) {
  return { ...service(namespace, name, { resourceVersion }), data: 'x'.repeat(bytes) };
}

/** Counts rejections per resource. */
function countingMetrics(): PublisherMetrics & { rejections: Map<string, number> } {
  const rejections = new Map<string, number>();
  return {
    rejections,
    published: () => undefined,
    batch: () => undefined,
    error: () => undefined,
    rejected: (resource) => rejections.set(resource, (rejections.get(resource) ?? 0) + 1),
    succeeded: () => undefined,
  };
}

describe('Publisher with objects etcd refuses', () => {
  test('a change batch with one oversized object publishes every other object and skips only that one', async () => {
    const repository = new FlakyRepository(new MemoryRepository({ maxRequestBytes: LIMIT }));
    const resource = servicesResource([service('shop', 'web')]);
    const metrics = countingMetrics();
    const { publisher, errors } = publisherOf(repository, [resource], { metrics });
    void publisher.start();
    await eventually(() => publisher.state().phase === 'publishing', 'publishing');
    for (let i = 0; i < 10; i++) put(resource, service('shop', `svc-${i}`));
    put(resource, huge('shop', 'big'));
    await eventually(async () => (await contents(repository, EAST)).size === 11 && publisher.state().pending === 0, 'the others published');
    assert.equal(await repository.get(`${EAST}shop/big`), undefined);
    assert.equal(publisher.state().phase, 'publishing');
    assert.equal(publisher.state().failingSince, undefined, 'a refusal is no failure of the publisher');
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof ObjectRejectedError);
    assert.match(errors[0].message, /cannot publish services shop\/big \(cluster east\), skipping it until it changes: .*too large/);
    assert.equal(errors[0].message.includes('xxxx'), false);
    assert.deepEqual(metrics.rejections, new Map([['services', 1]]));
    const [rejected] = publisher.state().rejected;
    assert.deepEqual({ ...rejected, reason: undefined, since: undefined }, {
      resource: 'services', cluster: 'east', namespace: 'shop', name: 'big', resourceVersion: '1', key: `${EAST}shop/big`, reason: undefined, since: undefined,
    });
    await publisher.stop();
  });

  test('a refused version is not tried or reported again, not even by a reconcile after an outage', async () => {
    const repository = new FlakyRepository(new MemoryRepository({ maxRequestBytes: LIMIT }));
    const resource = servicesResource([service('shop', 'web'), huge('shop', 'big')]);
    const { publisher, errors, clock } = publisherOf(repository, [resource]);
    void publisher.start();
    await eventually(() => publisher.state().phase === 'publishing', 'reconciled');
    assert.deepEqual([...(await contents(repository, EAST)).keys()], [`${EAST}shop/web`]);
    assert.equal(errors.length, 1);
    repository.down = true;
    put(resource, service('shop', 'during'));
    await eventually(() => publisher.state().phase === 'retrying', 'retrying');
    repository.down = false;
    const before = repository.commits.length;
    clock.advance(60_000);
    await eventually(async () => (await contents(repository, EAST)).has(`${EAST}shop/during`) && publisher.state().phase === 'publishing', 'caught up');
    assert.equal(errors.filter((err) => err instanceof ObjectRejectedError).length, 1);
    assert.ok(repository.commits.slice(before).every((batch) => batch.operations.every((op) => op.key !== `${EAST}shop/big`)));
    assert.equal(publisher.state().rejected.length, 1);
    await publisher.stop();
  });

  test('a refused object is published once it changes to a version etcd accepts, and its refusal is cleared', async () => {
    const repository = new MemoryRepository({ maxRequestBytes: LIMIT });
    const resource = servicesResource([huge('shop', 'big')]);
    const { publisher, errors } = publisherOf(repository, [resource]);
    void publisher.start();
    await eventually(() => publisher.state().rejected.length === 1, 'refused');
    put(resource, huge('shop', 'big', '2'));
    await eventually(() => errors.length === 2, 'the next oversized version is reported too');
    assert.equal(publisher.state().rejected[0]?.resourceVersion, '2');
    put(resource, service('shop', 'big', { resourceVersion: '3' }));
    await eventually(async () => (await repository.get(`${EAST}shop/big`)) !== undefined, 'published');
    assert.deepEqual(publisher.state().rejected, []);
    assert.equal(errors.length, 2);
    await publisher.stop();
  });

  test('an object whose name cannot be a key is reported once, and forgotten once deleted', async () => {
    const repository = new MemoryRepository();
    const bad = service('shop', 'a/b');
    const resource = servicesResource([service('shop', 'web'), bad]);
    const { publisher, errors } = publisherOf(repository, [resource]);
    void publisher.start();
    await eventually(() => publisher.state().phase === 'publishing', 'reconciled');
    put(resource, service('shop', 'api'));
    await eventually(async () => (await contents(repository, EAST)).size === 2, 'the others published');
    assert.equal(errors.length, 1);
    assert.match(errors[0]?.message ?? '', /name "a\/b" cannot be a key segment/);
    assert.equal(publisher.state().rejected[0]?.key, undefined);
    resource.store.delete(bad);
    await eventually(() => publisher.state().rejected.length === 0, 'forgotten');
    await publisher.stop();
  });

  test('every transaction of a split batch carries the guard, and a failed guard while splitting still deposes', async () => {
    // An etcd with a small --max-request-bytes: the batch fits the publisher's limits, etcd refuses it.
    const inner = new MemoryRepository({ maxRequestBytes: 4_000 });
    const repository = new FlakyRepository(inner);
    const resource = servicesResource();
    const first = publisherOf(repository, [resource], { claim: { identity: 'informant-a', epoch: 1n } });
    void first.publisher.start();
    await eventually(() => first.publisher.state().phase === 'publishing', 'publishing');
    const claimed = (await repository.get(PUBLISHER_KEY))?.modRevision;
    const before = repository.commits.length;
    for (let i = 0; i < 6; i++) put(resource, service('shop', `svc-${i}`));
    put(resource, huge('shop', 'big', '1', 5_000));
    await eventually(() => first.publisher.state().pending === 0 && first.publisher.state().rejected.length === 1, 'split and committed');
    const split = repository.commits.slice(before);
    assert.ok(split.length >= 2, `${split.length} transactions`);
    assert.equal(split.flatMap((batch) => batch.operations).length, 6);
    for (const batch of split) assert.deepEqual(batch.guards, [{ key: PUBLISHER_KEY, modRevision: claimed }]);

    const second = publisherOf(inner, [servicesResource()], { claim: { identity: 'informant-b', epoch: 2n } });
    void second.publisher.start();
    await eventually(() => second.publisher.state().phase === 'publishing', 'second publishing');
    put(resource, service('shop', 'stale'));
    put(resource, huge('shop', 'big', '2', 5_000));
    await eventually(() => first.publisher.state().phase === 'deposed', 'first deposed');
    assert.equal(await inner.get(`${EAST}shop/stale`), undefined);
    await first.publisher.stop();
    await second.publisher.stop();
  });
});
