/**
 * The Source contract over an EtcdSource reading a real etcd (test/support/etcd.ts), each
 * test under a prefix of its own, objects written as a publisher writes them.
 */
import { after, before } from 'node:test';
import { connectEtcd } from '../../../src/kv/etcd-repository.ts';
import type { Repository } from '../../../src/kv/index.ts';
import { silentLogger } from '../../../src/log.ts';
import { etcdSkipReason, TestEtcd } from '../../support/etcd.ts';
import { runSourceContract } from '../source-contract.ts';
import { contractHarness, sourceConfig } from './helpers.ts';

const skip = etcdSkipReason();
let etcd: TestEtcd | undefined;
let writer: Repository | undefined;
let tests = 0;

before(async () => {
  if (skip) return;
  etcd = await TestEtcd.start();
  writer = connectEtcd(sourceConfig(etcd.endpoint), silentLogger());
});
after(async () => {
  await writer?.close();
  await etcd?.stop();
});

runSourceContract(
  'EtcdSource over etcd',
  async () => contractHarness(writer!, { prefix: `contract-${++tests}`, endpoint: etcd!.endpoint }),
  { skip },
);
