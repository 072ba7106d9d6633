/**
 * The publisher against a real etcd (test/support/etcd.ts): restart, two clusters in one
 * prefix, a deposed leader, batching and an outage. Objects come from published stores
 * filled by the test; publisher-daemon.test.ts feeds them from a Kubernetes API server.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/time/clock.ts';
import { decodeClaim } from '../../src/publish/claim.ts';
import type { Publisher } from '../../src/publish/publisher.ts';
import { connectEtcd } from '../../src/kv/etcd/repository.ts';
import type { Repository } from '../../src/kv/index.ts';
import { KeyLayout } from '../../src/kv/layout.ts';
import { silentLogger } from '../../src/log.ts';
import { etcdSkipReason, TestEtcd } from '../support/etcd.ts';
import { FlakyRepository } from './support/flaky-repository.ts';
import { contents, eventually, publishConfig, publisherOf, put, service, servicesResource } from './support/publishing.ts';

const layout = new KeyLayout('informant');
const prefixOf = (cluster: string) => layout.clusterPrefix('', 'services', cluster);

describe('Publisher against etcd', { skip: etcdSkipReason(), timeout: 120_000 }, () => {
  let etcd: TestEtcd;
  let reader: Repository;
  const running: Publisher[] = [];
  before(async () => {
    etcd = await TestEtcd.start();
    reader = connectEtcd(publishConfig('reader', etcd.endpoint), silentLogger());
  });
  after(async () => {
    for (const publisher of running) await publisher.stop();
    await reader.close();
    await etcd.stop();
  });

  /** A publisher with its own etcd connection, on the system clock (backoff from 50 ms). */
  function publisher(cluster: string, resource: ReturnType<typeof servicesResource>, identity: string, epoch: bigint) {
    const config = publishConfig(cluster, etcd.endpoint);
    const built = publisherOf(reader, [resource], {
      config,
      connect: (c, log) => connectEtcd(c, log),
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
    const counting: { repository?: FlakyRepository } = {};
    const built = publisherOf(reader, [resource], {
      config: publishConfig('bulk', etcd.endpoint),
      connect: (c, log) => (counting.repository = new FlakyRepository(connectEtcd(c, log))),
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
  });

  test('an object larger than etcd\'s request limit is refused as Invalid and skipped; the objects around it arrive', async () => {
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
    assert.match(rejected?.reason ?? '', /larger than etcd accepts/);
    assert.equal(built.errors.length, 1);
    assert.equal(built.publisher.state().phase, 'publishing');
    await built.publisher.stop();
  });

  test('an etcd outage while publishing loses no change once etcd is back', async () => {
    const resource = servicesResource([service('shop', 'before')]);
    const errors: Error[] = [];
    const built = publisher('outage', resource, 'informant-a', 1n);
    built.errors.length = 0;
    await eventually(async () => (await contents(reader, prefixOf('outage'))).size === 1, 'published before the outage');
    await etcd.pause();
    for (let i = 0; i < 20; i++) put(resource, service('shop', `during-${i}`));
    resource.store.delete(service('shop', 'before'));
    await eventually(() => built.errors.length > 0, 'the outage is reported');
    errors.push(...built.errors);
    await etcd.resume();
    await eventually(async () => (await contents(reader, prefixOf('outage'))).size === 20 && built.publisher.state().pending === 0, 'caught up', 12_000);
    assert.equal(await reader.get(`${prefixOf('outage')}shop/before`), undefined);
    assert.equal(errors[0]?.name, 'KvError');
    await built.publisher.stop();
  });
});
