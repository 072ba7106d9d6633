/**
 * What only a real server does to a repository, for every real backend (etcd and
 * PostgreSQL, test/support/shared-stores.ts): a restart of the server during a watch, the
 * server down, a connection cut during a watch (with its history compacted or trimmed
 * meanwhile).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isKvError, type Repository } from '../../src/kv/index.ts';
import { whenReachable } from '../support/etcd.ts';
import { SHARED_STORE_KINDS, type TestSharedStore } from '../support/shared-stores.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { WatchRecorder } from './watch-recorder.ts';

for (const kind of SHARED_STORE_KINDS) {
  describe(`a ${kind.name} repository when the server goes away`, { skip: kind.skip, timeout: 120_000 }, () => {
    let store: TestSharedStore;
    let repository: Repository;
    before(async () => {
      store = await kind.start();
      repository = store.connect();
    });
    after(async () => {
      await repository?.close();
      await store?.stop();
    });

    test(`a watch delivers the changes made after a ${kind.name} restart, none lost or duplicated`, async () => {
      const p = '/restart/';
      await repository.create(`${p}a`, '1');
      const { revision } = await repository.list(p);
      const recorder = new WatchRecorder();
      const watch = await repository.watch(p, revision, recorder);
      await repository.update(`${p}a`, '2');
      await recorder.untilChanges(1);
      await store.restart();
      await whenReachable(() => repository.update(`${p}a`, '3'));
      await repository.create(`${p}b`, '1');
      await recorder.untilChanges(3);
      assert.deepEqual(recorder.described, [`put ${p}a=2`, `put ${p}a=3`, `put ${p}b=1`]);
      assert.deepEqual(recorder.lost, []);
      await watch.close();
    });

    test(`calls while ${kind.name} is down fail as Unavailable`, async () => {
      await store.pause();
      try {
        await assert.rejects(repository.get('/down/a'), (err) => isKvError(err, 'Unavailable'));
      } finally {
        await store.resume();
      }
      await whenReachable(() => repository.create('/down/a', '1'));
    });
  });

  describe(`a ${kind.name} repository with the connection cut during a watch`, { skip: kind.skip, timeout: 120_000 }, () => {
    let store: TestSharedStore;
    let proxy: TcpProxy;
    let direct: Repository;
    let proxied: Repository;
    before(async () => {
      store = await kind.start();
      proxy = await TcpProxy.start(store.port);
      direct = store.connect();
      proxied = store.connect(Number(new URL(proxy.endpoint).port));
    });
    after(async () => {
      await proxied?.close();
      await direct?.close();
      await proxy?.stop();
      await store?.stop();
    });

    test('a watch resumes after a cut and replays what was written meanwhile, reporting the outage', async () => {
      const p = '/cut/';
      const { revision } = await direct.list(p);
      const recorder = new WatchRecorder();
      const watch = await proxied.watch(p, revision, recorder);
      await direct.create(`${p}a`, '1');
      await recorder.untilChanges(1);
      await proxy.cut();
      await recorder.until(() => recorder.disconnects > 0, 'a disconnect');
      await direct.update(`${p}a`, '2');
      await direct.create(`${p}b`, '1');
      await proxy.restore();
      await recorder.untilChanges(3);
      await recorder.until(() => recorder.connects > 0, 'a reconnect');
      assert.deepEqual(recorder.described, [`put ${p}a=1`, `put ${p}a=2`, `put ${p}b=1`]);
      assert.deepEqual(recorder.lost, []);
      await watch.close();
    });

    test('a watch whose position is compacted during a cut is lost as Compacted; a relist sees everything', async () => {
      const p = '/cut-compact/';
      await direct.create(`${p}a`, '1');
      await direct.create(`${p}b`, '1');
      const { revision } = await direct.list(p);
      const recorder = new WatchRecorder();
      await proxied.watch(p, revision, recorder);
      await proxy.cut();
      await recorder.until(() => recorder.disconnects > 0, 'a disconnect');
      await direct.delete(`${p}b`);
      const latest = await direct.update(`${p}a`, '2');
      await store.compact(latest);
      await proxy.restore();
      await recorder.until(() => recorder.lost.length > 0, 'onLost');
      assert.equal(recorder.lost[0]?.code, 'Compacted');
      assert.deepEqual(recorder.changes, []);
      const listing = await proxied.list(p);
      assert.deepEqual(listing.records.map((r) => `${r.key}=${r.value}`), [`${p}a=2`]);
    });
  });
}
