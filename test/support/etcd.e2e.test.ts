/**
 * The etcd test harness itself: a real etcd starts on loopback, keeps its data across a
 * restart, compacts on request, and leaves nothing behind.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { etcdSkipReason, TestEtcd } from './etcd.ts';

/** Puts one key through the JSON gateway; resolves to the revision of the put. */
async function put(etcd: TestEtcd, key: string, value: string): Promise<bigint> {
  const response = await fetch(`${etcd.endpoint}/v3/kv/put`, {
    method: 'POST',
    body: JSON.stringify({ key: Buffer.from(key).toString('base64'), value: Buffer.from(value).toString('base64') }),
  });
  const body = (await response.json()) as { header: { revision: string } };
  return BigInt(body.header.revision);
}

async function rangeStatus(etcd: TestEtcd, key: string, revision: bigint): Promise<number> {
  const response = await fetch(`${etcd.endpoint}/v3/kv/range`, {
    method: 'POST',
    body: JSON.stringify({ key: Buffer.from(key).toString('base64'), revision: String(revision) }),
  });
  await response.text();
  return response.status;
}

describe('TestEtcd', { skip: etcdSkipReason(), timeout: 60_000 }, () => {
  let etcd: TestEtcd;
  before(async () => {
    etcd = await TestEtcd.start();
  });
  after(() => etcd.stop());

  test('starts on a loopback client URL and reports the revision of the latest write', async () => {
    assert.match(etcd.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    const revision = await put(etcd, '/t/a', '1');
    assert.equal(await etcd.revision(), revision);
  });

  test('keeps its data and its endpoint across a restart', async () => {
    const revision = await put(etcd, '/t/b', '2');
    const endpoint = etcd.endpoint;
    await etcd.restart();
    assert.equal(etcd.endpoint, endpoint);
    assert.equal(await etcd.revision(), revision);
  });

  test('compaction makes older revisions unreadable', async () => {
    const old = await put(etcd, '/t/c', '1');
    const latest = await put(etcd, '/t/c', '2');
    await etcd.compact(latest);
    assert.equal(await rangeStatus(etcd, '/t/c', latest), 200);
    assert.notEqual(await rangeStatus(etcd, '/t/c', old), 200);
  });
});

describe('TestEtcd cleanup', { skip: etcdSkipReason(), timeout: 60_000 }, () => {
  test('stop removes the data dir and closes the port', async () => {
    const etcd = await TestEtcd.start();
    assert.equal(existsSync(etcd.dataDir), true);
    await etcd.stop();
    assert.equal(existsSync(etcd.dataDir), false);
    await assert.rejects(fetch(`${etcd.endpoint}/health`));
  });
});
