/**
 * EtcdRepository against a real etcd (test/support/etcd.ts): the Repository contract, with
 * etcd's own compaction. Restarts and cut connections are in repository-outages.e2e.test.ts,
 * for every real backend.
 */
import { after, before, describe } from 'node:test';
import { connectEtcd } from '../../src/kv/etcd/index.ts';
import { silentLogger } from '../../src/log.ts';
import { etcdSkipReason, TestEtcd } from '../support/etcd.ts';
import { runRepositoryContract } from './repository-contract.ts';

describe('EtcdRepository', { skip: etcdSkipReason(), timeout: 120_000 }, () => {
  let etcd: TestEtcd;
  before(async () => {
    etcd = await TestEtcd.start();
  });
  after(() => etcd?.stop());

  runRepositoryContract('EtcdRepository', async () => ({
    repository: connectEtcd({ endpoints: [etcd.endpoint], dialTimeoutMs: 5_000 }, silentLogger()),
    compact: (revision) => etcd.compact(revision),
  }));
});
