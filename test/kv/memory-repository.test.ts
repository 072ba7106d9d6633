import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRepository } from '../../src/kv/memory/repository.ts';
import { isKvError, KV_MAX_REQUEST_BYTES, KvError, type KvChange } from '../../src/kv/index.ts';
import { runRepositoryContract } from './repository-contract.ts';

runRepositoryContract('MemoryRepository', async () => {
  const repository = new MemoryRepository({ maxRequestBytes: KV_MAX_REQUEST_BYTES });
  return { repository, compact: async (revision) => repository.compact(revision) };
});

test('a watch from a compacted revision is lost with a Compacted error', async () => {
  const repository = new MemoryRepository();
  await repository.create('/p/a', '1');
  await repository.update('/p/a', '2');
  await repository.update('/p/a', '3');
  repository.compact(3n);
  const lost = await new Promise<KvError>((resolve) => {
    void repository.watch('/p/', 1n, { onChanges: () => assert.fail('no changes expected'), onLost: resolve });
  });
  assert.equal(lost.code, 'Compacted');
  await repository.close();
});

test('a watch from the compacted revision itself replays the changes kept since', async () => {
  const repository = new MemoryRepository();
  await repository.create('/p/a', '1');
  await repository.update('/p/a', '2');
  await repository.update('/p/a', '3');
  repository.compact(3n);
  const seen: KvChange[] = [];
  await repository.watch('/p/', 2n, { onChanges: (changes) => seen.push(...changes), onLost: () => assert.fail() });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(
    seen.map((change) => (change.type === 'put' ? change.record.value : 'deleted')),
    ['3'],
  );
  await repository.close();
});

test('compacting at a future revision is Invalid and at an old one Compacted', async () => {
  const repository = new MemoryRepository();
  await repository.create('/p/a', '1');
  await repository.update('/p/a', '2');
  assert.throws(() => repository.compact(5n), (err) => isKvError(err, 'Invalid'));
  repository.compact(2n);
  assert.throws(() => repository.compact(1n), (err) => isKvError(err, 'Compacted'));
  await repository.close();
});

test('operations on a closed repository are Unavailable', async () => {
  const repository = new MemoryRepository();
  await repository.close();
  await assert.rejects(repository.get('/p/a'), (err) => isKvError(err, 'Unavailable'));
});

test('interrupting watches reports a disconnect and a reconnect and loses nothing', async () => {
  const repository = new MemoryRepository();
  const events: string[] = [];
  await repository.watch('/p/', 0n, {
    onChanges: (changes) => events.push(`changes:${changes.length}`),
    onLost: () => events.push('lost'),
    onDisconnected: () => events.push('disconnected'),
    onConnected: () => events.push('connected'),
  });
  repository.interruptWatches(new KvError('Unavailable', 'test outage'));
  await repository.create('/p/a', '1');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(events, ['disconnected', 'connected', 'changes:1']);
  await repository.close();
});

test('a lost watch calls onLost once and nothing afterwards', async () => {
  const repository = new MemoryRepository();
  const events: string[] = [];
  await repository.watch('/p/', 0n, {
    onChanges: () => events.push('changes'),
    onLost: (error) => events.push(`lost:${error.code}`),
  });
  repository.loseWatches(new KvError('Unavailable', 'canceled'));
  await repository.create('/p/a', '1');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(events, ['lost:Unavailable']);
  await repository.close();
});
