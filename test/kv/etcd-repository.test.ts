/**
 * EtcdRepository against a real etcd (test/support/etcd.ts): the Repository contract, and
 * what only a real server does: restarts, connections cut during a watch, compaction.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EtcdConnectionOptions } from '../../src/kv/etcd/index.ts';
import { connectEtcd } from '../../src/kv/etcd/repository.ts';
import { isKvError, type Repository } from '../../src/kv/index.ts';
import { silentLogger } from '../../src/log.ts';
import { etcdSkipReason, TestEtcd, whenReachable } from '../support/etcd.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { runRepositoryContract } from './repository-contract.ts';
import { WatchRecorder } from './watch-recorder.ts';

function connection(endpoint: string): EtcdConnectionOptions {
  return { endpoints: [endpoint], dialTimeoutMs: 5_000 };
}

describe('EtcdRepository', { skip: etcdSkipReason(), timeout: 120_000 }, () => {
  let etcd: TestEtcd;
  before(async () => {
    etcd = await TestEtcd.start();
  });
  after(() => etcd?.stop());

  runRepositoryContract('EtcdRepository', async () => ({
    repository: connectEtcd(connection(etcd.endpoint), silentLogger()),
    compact: (revision) => etcd.compact(revision),
  }));

  describe('against a restarting server', () => {
    let repository: Repository;
    before(() => {
      repository = connectEtcd(connection(etcd.endpoint), silentLogger());
    });
    after(() => repository.close());

    test('a watch delivers the changes made after an etcd restart, none lost or duplicated', async () => {
      const p = '/restart/';
      await repository.create(`${p}a`, '1');
      const { revision } = await repository.list(p);
      const recorder = new WatchRecorder();
      const watch = await repository.watch(p, revision, recorder);
      await repository.update(`${p}a`, '2');
      await recorder.untilChanges(1);
      await etcd.restart();
      await whenReachable(() => repository.update(`${p}a`, '3'));
      await repository.create(`${p}b`, '1');
      await recorder.untilChanges(3);
      assert.deepEqual(recorder.described, [`put ${p}a=2`, `put ${p}a=3`, `put ${p}b=1`]);
      assert.deepEqual(recorder.lost, []);
      await watch.close();
    });

    test('calls while etcd is down fail as Unavailable', async () => {
      await etcd.pause();
      try {
        await assert.rejects(repository.get('/down/a'), (err) => isKvError(err, 'Unavailable'));
      } finally {
        await etcd.resume();
      }
      await whenReachable(() => repository.create('/down/a', '1'));
    });
  });

  describe('with the connection cut during a watch', () => {
    let proxy: TcpProxy;
    let direct: Repository;
    let proxied: Repository;
    before(async () => {
      proxy = await TcpProxy.start(etcd.clientPort);
      direct = connectEtcd(connection(etcd.endpoint), silentLogger());
      proxied = connectEtcd(connection(proxy.endpoint), silentLogger());
    });
    after(async () => {
      await proxied.close();
      await direct.close();
      await proxy.stop();
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
      await etcd.compact(latest);
      await proxy.restore();
      await recorder.until(() => recorder.lost.length > 0, 'onLost');
      assert.equal(recorder.lost[0]?.code, 'Compacted');
      assert.deepEqual(recorder.changes, []);
      const listing = await proxied.list(p);
      assert.deepEqual(listing.records.map((r) => `${r.key}=${r.value}`), [`${p}a=2`]);
    });
  });
});

