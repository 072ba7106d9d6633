import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryKvBackend } from '../../src/kv/memory/index.ts';
import { isKvError } from '../../src/kv/index.ts';
import { silentLogger } from '../../src/log.ts';

test('the memory backend shares one repository per name, and closing a connection leaves it to the others', async () => {
  const backend = memoryKvBackend();
  const publisher = backend.connect({ name: 'default' }, silentLogger());
  const renderer = backend.connect({ name: 'default' }, silentLogger());
  const other = backend.connect({ name: 'other' }, silentLogger());
  await publisher.create('/k', 'v');
  await publisher.close();
  assert.equal((await renderer.get('/k'))?.value, 'v');
  assert.equal(await other.get('/k'), undefined);
  assert.equal((await backend.connect({ name: 'default' }, silentLogger()).get('/k'))?.value, 'v', 'a later connection finds it too');
});

test('the memory backend refuses writes above 1.5 MiB, as every backend does', async () => {
  const repository = memoryKvBackend().connect({ name: 'default' }, silentLogger());
  await assert.rejects(repository.create('/big', 'x'.repeat(1_600_000)), (err) => isKvError(err, 'Invalid'));
});
