import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KV_MAX_OPERATIONS } from '../../src/kv/index.ts';
import { KeyLayout } from '../../src/kv/layout.ts';
import { MemoryRepository } from '../../src/kv/memory/repository.ts';
import { decodeClaim, encodeClaim } from '../../src/publish/claim.ts';
import { FlakyRepository } from './support/flaky-repository.ts';
import { contents, publisherOf, put, service, servicesResource } from './support/publishing.ts';
import { eventually } from '../support/waiters.ts';

const layout = new KeyLayout('informant');
const EAST = layout.clusterPrefix('', 'services', 'east');
const PUBLISHER_KEY = layout.publisherKey('east');

describe('Publisher', () => {
  test('publishes every object once synced, as JSON under its key, without metadata.cluster', async () => {
    const repository = new MemoryRepository();
    const resource = servicesResource([service('shop', 'web'), service('shop', 'api', { cluster: 'west' })]);
    const { publisher } = publisherOf(repository, [resource], { clusters: ['east', 'west'] });
    void publisher.start();
    await eventually(async () => (await repository.list('/informant/core/')).records.length === 2, 'both objects published');
    const east = await contents(repository, EAST);
    assert.deepEqual(east.get(`${EAST}shop/web`), service('shop', 'web'));
    const west = await contents(repository, layout.clusterPrefix('', 'services', 'west'));
    assert.deepEqual(west.get('/informant/core/services/west/shop/api'), service('shop', 'api'));
    await publisher.stop();
    assert.equal(publisher.state().phase, 'stopped');
  });

  test('with several clusters it claims each cluster\'s publisher key, and a takeover of any one deposes it', async () => {
    const repository = new MemoryRepository();
    const resource = servicesResource([service('shop', 'web', { cluster: 'east' }), service('shop', 'web', { cluster: 'west' })]);
    const { publisher } = publisherOf(repository, [resource], { clusters: ['east', 'west'] });
    void publisher.start();
    await eventually(() => publisher.state().phase === 'publishing', 'publishing');
    for (const cluster of ['east', 'west']) {
      assert.equal(decodeClaim((await repository.get(layout.publisherKey(cluster)))?.value ?? '')?.identity, 'informant-a');
    }
    await repository.update(layout.publisherKey('west'), encodeClaim({ identity: 'informant-b', epoch: 2n }));
    put(resource, service('shop', 'api', { cluster: 'east' }));
    await eventually(() => publisher.state().phase === 'deposed', 'deposed');
    assert.match(publisher.state().deposedBy ?? '', /informant-b.*publishers\/west/);
    assert.equal(await repository.get(`${EAST}shop/api`), undefined, 'the batch was rejected as a whole');
    await publisher.stop();
  });

  test('refuses objects of a cluster it does not claim, and deletes the keys of a claimed cluster whose objects are gone', async () => {
    const repository = new MemoryRepository();
    const westWeb = '/informant/core/services/west/shop/web';
    await repository.create(westWeb, JSON.stringify(service('shop', 'web')));
    const resource = servicesResource([service('shop', 'web', { cluster: 'east' }), service('shop', 'stray', { cluster: 'north' })]);
    const { publisher, errors } = publisherOf(repository, [resource], { clusters: ['east', 'west'] });
    void publisher.start();
    await eventually(() => publisher.state().phase === 'publishing', 'publishing');
    assert.equal(await repository.get(westWeb), undefined, 'west has no objects any more: its key is deleted');
    assert.ok(await repository.get(`${EAST}shop/web`));
    assert.equal((await repository.list('/informant/core/services/north/')).records.length, 0);
    assert.deepEqual(publisher.state().rejected.map((r) => `${r.cluster} ${r.name}`), ['north stray']);
    assert.match(errors.map((e) => e.message).join('\n'), /cluster "north" is not published here/);
    await publisher.stop();
  });

  test('waits for sync before it claims or writes anything', async () => {
    const repository = new MemoryRepository();
    let synced!: () => void;
    const { publisher } = publisherOf(repository, [servicesResource([service('shop', 'web')])], {
      waitForSync: () => new Promise((resolve) => (synced = resolve)),
    });
    void publisher.start();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(publisher.state().phase, 'waiting-for-sync');
    assert.equal(repository.revision, 0n);
    synced();
    await eventually(() => publisher.state().phase === 'publishing', 'publishing');
    await publisher.stop();
  });

  test('claims the publisher key with its identity and a 20-digit epoch, and guards every batch with it', async () => {
    const repository = new FlakyRepository(new MemoryRepository());
    const resource = servicesResource([service('shop', 'web')]);
    const { publisher } = publisherOf(repository, [resource], { claim: { identity: 'informant-a', epoch: 42n } });
    void publisher.start();
    await eventually(() => publisher.state().phase === 'publishing', 'publishing');
    const claim = await repository.get(PUBLISHER_KEY);
    assert.equal(claim?.value, '{"identity":"informant-a","epoch":"00000000000000000042"}');
    put(resource, service('shop', 'api'));
    await eventually(() => repository.commits.length === 3, 'claim, reconcile and one change committed');
    for (const batch of repository.commits.slice(1)) assert.deepEqual(batch.guards, [{ key: PUBLISHER_KEY, modRevision: claim?.modRevision }]);
    await publisher.stop();
  });

  test('reconcile puts what is missing or different, deletes what vanished and leaves equal values alone', async () => {
    const repository = new MemoryRepository();
    const same = service('shop', 'same');
    await repository.create(`${EAST}shop/same`, JSON.stringify(same));
    await repository.create(`${EAST}shop/changed`, JSON.stringify(service('shop', 'changed', { resourceVersion: '1' })));
    await repository.create(`${EAST}shop/gone`, JSON.stringify(service('shop', 'gone')));
    const sameRevision = (await repository.get(`${EAST}shop/same`))?.modRevision;
    const resource = servicesResource([same, service('shop', 'changed', { resourceVersion: '2' }), service('shop', 'new')]);
    const { publisher } = publisherOf(repository, [resource]);
    void publisher.start();
    await eventually(() => publisher.state().phase === 'publishing', 'reconciled');
    const east = await contents(repository, EAST);
    assert.deepEqual([...east.keys()].sort(), [`${EAST}shop/changed`, `${EAST}shop/new`, `${EAST}shop/same`]);
    assert.equal((await repository.get(`${EAST}shop/same`))?.modRevision, sameRevision);
    assert.equal((east.get(`${EAST}shop/changed`) as { metadata: { resourceVersion: string } }).metadata.resourceVersion, '2');
    await publisher.stop();
  });

  test('applies later changes, coalesced per object, and deletes removed objects', async () => {
    const repository = new FlakyRepository(new MemoryRepository());
    const resource = servicesResource([service('shop', 'web')]);
    const { publisher } = publisherOf(repository, [resource]);
    void publisher.start();
    await eventually(() => publisher.state().phase === 'publishing', 'publishing');
    const before = repository.commits.length;
    for (let rv = 1; rv <= 5; rv++) put(resource, service('shop', 'api', { resourceVersion: String(rv) }));
    resource.store.delete(service('shop', 'web'));
    await eventually(async () => (await contents(repository, EAST)).size === 1 && publisher.state().pending === 0, 'changes applied');
    assert.equal(repository.commits.length, before + 1);
    assert.deepEqual(repository.commits.at(-1)?.operations.map((op) => op.type), ['put', 'delete']);
    const east = await contents(repository, EAST);
    assert.equal((east.get(`${EAST}shop/api`) as { metadata: { resourceVersion: string } }).metadata.resourceVersion, '5');
    await publisher.stop();
  });

  test('writes more than 128 changes in several transactions of at most 128 operations, all of them arriving', async () => {
    const repository = new FlakyRepository(new MemoryRepository());
    const resource = servicesResource();
    const { publisher } = publisherOf(repository, [resource]);
    void publisher.start();
    await eventually(() => publisher.state().phase === 'publishing', 'publishing');
    const before = repository.commits.length;
    for (let i = 0; i < 300; i++) put(resource, service('shop', `svc-${i}`));
    await eventually(async () => (await contents(repository, EAST)).size === 300, 'all 300 published');
    const batches = repository.commits.slice(before);
    assert.ok(batches.length >= 3, `${batches.length} transactions`);
    assert.ok(batches.every((batch) => batch.operations.length <= KV_MAX_OPERATIONS));
    assert.equal(publisher.state().published, 300);
    await publisher.stop();
  });

  test('an outage loses no change: errors go to onError, it backs off on the clock, then reconciles and catches up', async () => {
    const repository = new FlakyRepository(new MemoryRepository());
    const resource = servicesResource([service('shop', 'web')]);
    const { publisher, clock, errors } = publisherOf(repository, [resource]);
    void publisher.start();
    await eventually(() => publisher.state().phase === 'publishing', 'publishing');
    repository.down = true;
    put(resource, service('shop', 'api'));
    resource.store.delete(service('shop', 'web'));
    await eventually(() => publisher.state().phase === 'retrying', 'retrying');
    assert.equal(errors[0]?.name, 'KvError');
    assert.match(errors[0]?.message ?? '', /unreachable/);
    repository.down = false;
    clock.advance(60_000);
    await eventually(async () => [...(await contents(repository, EAST)).keys()].join() === `${EAST}shop/api`, 'caught up');
    await eventually(() => publisher.state().phase === 'publishing', 'publishing again');
    assert.equal(publisher.state().errors, 1);
    await publisher.stop();
  });

  test('a publisher whose claim another one replaced stops at its next batch and names the other', async () => {
    const repository = new MemoryRepository();
    const older = servicesResource([service('shop', 'web')]);
    const first = publisherOf(repository, [older], { claim: { identity: 'informant-a', epoch: 1n } });
    void first.publisher.start();
    await eventually(() => first.publisher.state().phase === 'publishing', 'first publishing');
    const second = publisherOf(repository, [servicesResource([service('shop', 'web')])], { claim: { identity: 'informant-b', epoch: 2n } });
    void second.publisher.start();
    await eventually(() => second.publisher.state().phase === 'publishing', 'second publishing');
    put(older, service('shop', 'stale'));
    await eventually(() => first.publisher.state().phase === 'deposed', 'first deposed');
    assert.match(first.publisher.state().deposedBy ?? '', /publisher "informant-b" \(epoch 2\) took over/);
    assert.equal(await repository.get(`${EAST}shop/stale`), undefined);
    assert.equal(first.publisher.active, false);
    await first.publisher.stop();
    await second.publisher.stop();
  });

  test('refuses to claim over a newer epoch, but takes over its own or an older claim', async () => {
    const repository = new MemoryRepository();
    await repository.create(PUBLISHER_KEY, encodeClaim({ identity: 'informant-b', epoch: 5n }));
    const refused = publisherOf(repository, [servicesResource([service('shop', 'web')])], { claim: { identity: 'informant-a', epoch: 4n } });
    await refused.publisher.start();
    assert.equal(refused.publisher.state().phase, 'deposed');
    assert.equal((await repository.list(EAST)).records.length, 0);
    const same = publisherOf(repository, [servicesResource([service('shop', 'web')])], { claim: { identity: 'informant-b', epoch: 5n } });
    void same.publisher.start();
    await eventually(() => same.publisher.state().phase === 'publishing', 'same claim publishing');
    await same.publisher.stop();
    const newer = publisherOf(repository, [servicesResource([service('shop', 'web')])], { claim: { identity: 'informant-c', epoch: 6n } });
    void newer.publisher.start();
    await eventually(() => newer.publisher.state().phase === 'publishing', 'newer claim publishing');
    assert.deepEqual(decodeClaim((await repository.get(PUBLISHER_KEY))?.value ?? ''), { identity: 'informant-c', epoch: 6n });
    await newer.publisher.stop();
  });

  test('epochs compare as numbers in their stored text too', () => {
    assert.ok(encodeClaim({ identity: 'a', epoch: 9n }) < encodeClaim({ identity: 'a', epoch: 10n }));
    assert.equal(decodeClaim('not json'), undefined);
  });

  test('stop ends a publisher waiting for sync, and closes its journals', async () => {
    const repository = new MemoryRepository();
    const resource = servicesResource();
    const { publisher } = publisherOf(repository, [resource], { waitForSync: () => new Promise(() => undefined) });
    const done = publisher.start();
    await publisher.stop();
    await done;
    put(resource, service('shop', 'after'));
    assert.equal(publisher.state().pending, 0);
    assert.equal(repository.revision, 0n);
  });
});
