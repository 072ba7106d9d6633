import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRepository } from '../../src/kv/memory/repository.ts';
import { isKvError, KV_MAX_REQUEST_BYTES } from '../../src/kv/index.ts';
import { SharedConnections } from '../../src/kv/shared-connections.ts';
import { eventually } from '../support/waiters.ts';
import { WatchRecorder } from './watch-recorder.ts';
import { runRepositoryContract } from './repository-contract.ts';

/** SharedConnections over memory repositories, recording every connect and close. */
function counting() {
  const opened: MemoryRepository[] = [];
  const closed: MemoryRepository[] = [];
  const connections = new SharedConnections();
  const open = () => {
    const repository = new MemoryRepository();
    const close = repository.close.bind(repository);
    repository.close = async () => {
      closed.push(repository);
      await close();
    };
    opened.push(repository);
    return repository;
  };
  return { connections, opened, closed, acquire: (key: string) => connections.acquire(key, open) };
}


describe('SharedConnections', () => {
  test('handles with the same connection key share one connection', async () => {
    const { acquire, opened } = counting();
    const a = acquire('one');
    const b = acquire('one');
    const c = acquire('two');
    assert.equal(opened.length, 2);
    await a.create('/k', 'v');
    assert.equal((await b.get('/k'))?.value, 'v', 'both handles read one repository');
    assert.equal(await c.get('/k'), undefined);
    for (const handle of [a, b, c]) await handle.close();
  });

  test('closes the connection with its last handle, counts a handle closed twice once, and opens anew afterwards', async () => {
    const { connections, acquire, opened, closed } = counting();
    const a = acquire('one');
    const b = acquire('one');
    await a.close();
    await a.close();
    assert.deepEqual(closed, []);
    assert.equal(connections.size, 1);
    await b.close();
    assert.deepEqual(closed, [opened[0]]);
    assert.equal(connections.size, 0);
    const again = acquire('one');
    assert.equal(opened.length, 2);
    await again.close();
  });
});

describe('a closed SharedConnections handle', () => {
  test('closes its own watches and refuses calls, while another handle of the connection goes on', async () => {
    const { acquire, closed } = counting();
    const staying = acquire('one');
    const leaving = acquire('one');
    const { revision } = await staying.list('/x/');
    const stayingWatch = new WatchRecorder();
    const leavingWatch = new WatchRecorder();
    await staying.watch('/x/', revision, stayingWatch);
    await leaving.watch('/x/', revision, leavingWatch);
    await leaving.close();
    const unavailable = (err: unknown): boolean => isKvError(err, 'Unavailable');
    await assert.rejects(leaving.get('/x/a'), unavailable);
    await assert.rejects(leaving.watch('/x/', revision, new WatchRecorder()), unavailable);
    await staying.create('/x/a', '1');
    await eventually(() => stayingWatch.described.length === 1, 'the staying handle sees the change');
    assert.deepEqual(stayingWatch.described, ['put /x/a=1']);
    assert.deepEqual(leavingWatch.calls, []);
    assert.equal(closed.length, 0);
    await staying.close();
    assert.equal(closed.length, 1);
  });
});

runRepositoryContract('a SharedConnections handle', async () => {
  const repository = new MemoryRepository({ maxRequestBytes: KV_MAX_REQUEST_BYTES });
  const handle = new SharedConnections().acquire('one', () => repository);
  return { repository: handle, compact: async (revision) => repository.compact(revision) };
});
