/**
 * The publisher against each real shared store (etcd and PostgreSQL,
 * test/support/shared-stores.ts): restart, two clusters in one prefix, a deposed leader,
 * batching, an object too large and an outage. Objects come from published stores filled
 * by the test; publisher-daemon.e2e.test.ts feeds them from a Kubernetes API server.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/time/clock.ts';
import { decodeClaim } from '../../src/publish/claim.ts';
import type { Publisher } from '../../src/publish/publisher.ts';
import type { Repository } from '../../src/kv/index.ts';
import { KeyLayout } from '../../src/kv/layout.ts';
import { SHARED_STORE_KINDS, type TestSharedStore } from '../support/shared-stores.ts';
import { FlakyRepository } from './support/flaky-repository.ts';
import { contents, publisherOf, put, service, servicesResource } from './support/publishing.ts';
import { eventually } from '../support/waiters.ts';

const layout = new KeyLayout('informant');
const prefixOf = (cluster: string) => layout.clusterPrefix('', 'services', cluster);

for (const kind of SHARED_STORE_KINDS) describe(`Publisher against ${kind.name}`, { skip: kind.skip, timeout: 120_000 }, () => {
  let store: TestSharedStore;
  let reader: Repository;
  const running: Publisher[] = [];
  before(async () => {
    store = await kind.start();
    reader = store.connect();
  });
  after(async () => {
    for (const publisher of running) await publisher.stop();
    await reader?.close();
    await store?.stop();
  });

  /** A publisher with a connection of its own, on the system clock. */
  function publisher(cluster: string, resource: ReturnType<typeof servicesResource>, identity: string, epoch: bigint) {
    const built = publisherOf(reader, [resource], {
      config: { ...store.config(), cluster },
      connect: () => store.connect(),
      claim: { identity, epoch },
      clock: systemClock,
      random: () => 0.1,
    });
    running.push(built.publisher);
    void built.publisher.start();
    return built;
  }

  test('a restarted publisher reconciles deletions made while it was down', async () => {
    const resource = servicesResource([service('shop', 'a'), service('shop', 'b'), service('shop', 'c')]);
    const first = publisher('restart', resource, 'informant-a', 1n);
    await eventually(async () => (await contents(reader, prefixOf('restart'))).size === 3, 'three published');
    await first.publisher.stop();
    resource.store.delete(service('shop', 'b'));
    put(resource, service('shop', 'd'));
    const second = publisher('restart', resource, 'informant-a', 2n);
    await eventually(() => second.publisher.state().phase === 'publishing', 'reconciled');
    assert.deepEqual([...(await contents(reader, prefixOf('restart'))).keys()], ['a', 'c', 'd'].map((n) => `${prefixOf('restart')}shop/${n}`));
    await second.publisher.stop();
  });

  test('two publishers of two clusters share one prefix without touching each other\'s keys', async () => {
    const east = servicesResource([service('shop', 'web'), service('shop', 'only-east')]);
    const west = servicesResource([service('shop', 'web'), service('shop', 'only-west')]);
    const a = publisher('east', east, 'east-1', 1n);
    const b = publisher('west', west, 'west-1', 1n);
    await eventually(async () => (await contents(reader, prefixOf('east'))).size === 2 && (await contents(reader, prefixOf('west'))).size === 2, 'both published');
    east.store.delete(service('shop', 'web'));
    await eventually(async () => (await contents(reader, prefixOf('east'))).size === 1, 'east deleted its web');
    await a.publisher.stop();
    const again = publisher('east', east, 'east-1', 2n);
    await eventually(() => again.publisher.state().phase === 'publishing', 'east reconciled again');
    assert.deepEqual([...(await contents(reader, prefixOf('west'))).keys()], [`${prefixOf('west')}shop/only-west`, `${prefixOf('west')}shop/web`]);
    assert.deepEqual([...(await contents(reader, prefixOf('east'))).keys()], [`${prefixOf('east')}shop/only-east`]);
    await again.publisher.stop();
    await b.publisher.stop();
  });

  test('a deposed leader\'s next batch is rejected and it stops publishing', async () => {
    const oldLeader = servicesResource([service('shop', 'web')]);
    const newLeader = servicesResource([service('shop', 'web')]);
    const a = publisher('fenced', oldLeader, 'replica-a', 3n);
    await eventually(() => a.publisher.state().phase === 'publishing', 'a publishing');
    const b = publisher('fenced', newLeader, 'replica-b', 4n);
    await eventually(() => b.publisher.state().phase === 'publishing', 'b publishing');
    put(oldLeader, service('shop', 'from-the-old-leader'));
    await eventually(() => a.publisher.state().phase === 'deposed', 'a deposed');
    assert.match(a.publisher.state().deposedBy ?? '', /"replica-b" \(epoch 4\)/);
    assert.equal(await reader.get(`${prefixOf('fenced')}shop/from-the-old-leader`), undefined);
    assert.deepEqual(decodeClaim((await reader.get(layout.publisherKey('fenced')))?.value ?? ''), { identity: 'replica-b', epoch: 4n });
    put(newLeader, service('shop', 'from-the-new-leader'));
    await eventually(async () => (await reader.get(`${prefixOf('fenced')}shop/from-the-new-leader`)) !== undefined, 'b writes on');
    await b.publisher.stop();
  });

  test('more than 128 changes commit in several transactions and all arrive', async () => {
    const resource = servicesResource();
    const counting: { repository?: FlakyRepository; connection?: Repository } = {};
    const built = publisherOf(reader, [resource], {
      config: { ...store.config(), cluster: 'bulk' },
      connect: () => (counting.repository = new FlakyRepository((counting.connection = store.connect()))),
      clock: systemClock,
    });
    running.push(built.publisher);
    void built.publisher.start();
    await eventually(() => built.publisher.state().phase === 'publishing', 'publishing');
    for (let i = 0; i < 400; i++) put(resource, service('shop', `svc-${String(i).padStart(3, '0')}`));
    await eventually(async () => (await contents(reader, prefixOf('bulk'))).size === 400, 'all 400 arrived');
    const batches = counting.repository!.commits.slice(1);
    assert.ok(batches.length >= 4, `${batches.length} transactions`);
    assert.ok(batches.every((batch) => batch.operations.length <= 128));
    await built.publisher.stop();
    await counting.connection?.close(); // a FlakyRepository leaves the repository behind it open
  });

  test('an object larger than the 1.5 MiB request limit is refused as Invalid and skipped; the objects around it arrive', async () => {
    const resource = servicesResource([service('shop', 'before')]);
    const built = publisher('oversized', resource, 'informant-a', 1n);
    await eventually(async () => (await contents(reader, prefixOf('oversized'))).size === 1, 'published before');
    put(resource, service('shop', 'a'));
    put(resource, { ...service('shop', 'big'), data: 'x'.repeat(2 * 1024 * 1024) });
    put(resource, service('shop', 'b'));
    await eventually(async () => (await contents(reader, prefixOf('oversized'))).size === 3 && built.publisher.state().pending === 0, 'the others arrived');
    assert.equal(await reader.get(`${prefixOf('oversized')}shop/big`), undefined);
    const [rejected] = built.publisher.state().rejected;
    assert.equal(rejected?.key, `${prefixOf('oversized')}shop/big`);
    assert.match(rejected?.reason ?? '', /larger than etcd accepts|too large/);
    assert.equal(built.errors.length, 1);
    assert.equal(built.publisher.state().phase, 'publishing');
    await built.publisher.stop();
  });

  test(`an outage of ${kind.name} while publishing loses no change once it is back`, async () => {
    const resource = servicesResource([service('shop', 'before')]);
    const errors: Error[] = [];
    const built = publisher('outage', resource, 'informant-a', 1n);
    built.errors.length = 0;
    await eventually(async () => (await contents(reader, prefixOf('outage'))).size === 1, 'published before the outage');
    await store.pause();
    for (let i = 0; i < 20; i++) put(resource, service('shop', `during-${i}`));
    resource.store.delete(service('shop', 'before'));
    await eventually(() => built.errors.length > 0, 'the outage is reported');
    errors.push(...built.errors);
    await store.resume();
    await eventually(async () => (await contents(reader, prefixOf('outage'))).size === 20 && built.publisher.state().pending === 0, 'caught up', { timeoutMs: 60_000 });
    assert.equal(await reader.get(`${prefixOf('outage')}shop/before`), undefined);
    assert.equal(errors[0]?.name, 'KvError');
    await built.publisher.stop();
  });
});
