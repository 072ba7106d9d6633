import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EtcdConnectionConfig } from '../../src/config/types.ts';
import { MemoryRepository } from '../../src/kv/memory/repository.ts';
import { SharedConnections } from '../../src/kv/shared-connections.ts';
import { silentLogger } from '../../src/log.ts';

/** SharedConnections over memory repositories, recording every connect and close. */
function counting() {
  const opened: MemoryRepository[] = [];
  const closed: MemoryRepository[] = [];
  const connections = new SharedConnections(() => {
    const repository = new MemoryRepository();
    const close = repository.close.bind(repository);
    repository.close = async () => {
      closed.push(repository);
      await close();
    };
    opened.push(repository);
    return repository;
  });
  return { connections, opened, closed };
}

const config = (endpoint: string, prefix = 'informant'): EtcdConnectionConfig => ({ endpoints: [endpoint], prefix, dialTimeoutMs: 2000 });

describe('SharedConnections', () => {
  test('handles with the same connection settings share one connection, whatever their prefix', async () => {
    const { connections, opened } = counting();
    const a = connections.acquire(config('http://127.0.0.1:1'), silentLogger());
    const b = connections.acquire(config('http://127.0.0.1:1', 'other'), silentLogger());
    const c = connections.acquire(config('http://127.0.0.1:2'), silentLogger());
    assert.equal(opened.length, 2);
    await a.create('/k', 'v');
    assert.equal((await b.get('/k'))?.value, 'v', 'both handles read one repository');
    assert.equal(await c.get('/k'), undefined);
    for (const handle of [a, b, c]) await handle.close();
  });

  test('closes the connection with its last handle, counts a handle closed twice once, and opens anew afterwards', async () => {
    const { connections, opened, closed } = counting();
    const a = connections.acquire(config('http://127.0.0.1:1'), silentLogger());
    const b = connections.acquire(config('http://127.0.0.1:1'), silentLogger());
    await a.close();
    await a.close();
    assert.deepEqual(closed, []);
    assert.equal(connections.size, 1);
    await b.close();
    assert.deepEqual(closed, [opened[0]]);
    assert.equal(connections.size, 0);
    const again = connections.acquire(config('http://127.0.0.1:1'), silentLogger());
    assert.equal(opened.length, 2);
    await again.close();
  });
});
