import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestApiServer } from './index.ts';
import { openWatch, requestJson, type RawWatch } from './raw-client.ts';

const secret = (name: string, namespace = 'f') => ({ metadata: { name, namespace }, type: 'Opaque', data: { k: 'dg==' } });

describe('TestApiServer faults', { timeout: 20_000 }, () => {
  let server: TestApiServer;
  const open: RawWatch[] = [];
  const watchSecrets = async (query = '') => {
    const w = await openWatch(`${server.url}/api/v1/namespaces/f/secrets?watch=true&resourceVersion=${server.resourceVersion}&${query}`);
    open.push(w);
    return w;
  };
  before(async () => {
    server = await TestApiServer.start();
  });
  after(async () => {
    for (const w of open) w.close();
    await server.close();
  });

  test('overlapping close, expire and drop of one watch end it once, without server errors', async () => {
    const w = await watchSecrets();
    server.faults.closeWatches('secrets');
    server.faults.expireWatches('secrets');
    server.faults.dropWatches('secrets');
    await w.rest().catch(() => []);
    assert.deepEqual(server.errors, []);
  });

  test('dropWatches breaks open watch streams without a clean end', async () => {
    const w = await watchSecrets();
    server.faults.dropWatches('secrets');
    await assert.rejects(w.next());
  });

  test('closeWatches ends open watch streams cleanly', async () => {
    const w = await watchSecrets();
    server.faults.closeWatches();
    assert.equal(await w.next(), 'end');
  });

  test('stallNextWatch sends headers and then nothing, even when objects change; the watch after it is normal', async () => {
    server.faults.stallNextWatch('secrets');
    const stalled = await watchSecrets();
    assert.equal(stalled.status, 200);
    assert.equal(server.openWatches('secrets'), 1);
    const healthy = await watchSecrets();
    server.create('secrets', secret('during-stall'));
    assert.equal((await healthy.take(1))[0]!.object.metadata.name, 'during-stall');
    server.faults.closeWatches('secrets');
    assert.equal(await stalled.nextLine(), 'end');
    assert.deepEqual(stalled.chunks, []);
  });

  test('expireWatches sends an in-stream ERROR with a 410 Expired Status, then ends', async () => {
    const w = await watchSecrets();
    server.faults.expireWatches('secrets');
    const [error] = await w.take(1);
    assert.deepEqual([error!.type, error!.object.reason, error!.object.code], ['ERROR', 'Expired', 410]);
    assert.equal(await w.next(), 'end');
  });

  test('nextStatus answers only the matching requests, as many times as asked, with Retry-After for 429', async () => {
    server.faults.nextStatus(429, { resource: 'secrets', verb: 'list', retryAfterSeconds: 7, times: 2 });
    const other = await requestJson(`${server.url}/api/v1/configmaps`);
    assert.equal(other.status, 200);
    const watch = await watchSecrets();
    assert.equal(watch.status, 200);
    watch.close();
    for (let i = 0; i < 2; i++) {
      const res = await requestJson(`${server.url}/api/v1/secrets`);
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '7');
      assert.deepEqual([res.body.kind, res.body.reason, res.body.details.retryAfterSeconds], ['Status', 'TooManyRequests', 7]);
    }
    assert.equal((await requestJson(`${server.url}/api/v1/secrets`)).status, 200);
  });

  test('nextStatus on watch answers the watch request itself with the HTTP status', async () => {
    server.faults.nextStatus(503, { verb: 'watch' });
    assert.equal((await requestJson(`${server.url}/api/v1/secrets`)).status, 200);
    const res = await requestJson(`${server.url}/api/v1/secrets?watch=1`);
    assert.deepEqual([res.status, res.body.reason], [503, 'ServiceUnavailable']);
  });

  test('permanentStatus answers every matching request until cleared', async () => {
    server.faults.permanentStatus(403, { resource: 'secrets' });
    for (const path of ['/api/v1/secrets', '/api/v1/namespaces/f/secrets/x', '/api/v1/secrets?watch=true']) {
      const res = await requestJson(`${server.url}${path}`);
      assert.equal(res.status, 403);
      assert.match(res.body.message, /secrets is forbidden/);
    }
    assert.equal((await requestJson(`${server.url}/api/v1/pods`)).status, 200);
    server.faults.permanentStatus(undefined, { resource: 'secrets' });
    assert.equal((await requestJson(`${server.url}/api/v1/secrets`)).status, 200);
  });

  test('splitChunks splits events mid-JSON, joins several in one chunk and adds blank lines, all still parseable', async () => {
    server.faults.splitChunks(true);
    try {
      const w = await watchSecrets();
      for (let i = 0; i < 20; i++) server.create('secrets', secret(`split-${i}`));
      const events = await w.take(20);
      assert.deepEqual(events.map((e) => e.object.metadata.name), Array.from({ length: 20 }, (_, i) => `split-${i}`));
      assert.ok(w.chunks.some((c) => !c.endsWith('\n')), 'some chunk ends mid-event');
      assert.ok(w.chunks.some((c) => c.split('{"type"').length > 2), 'some chunk holds several events');
      assert.ok(w.chunks.join('').includes('\n\n'), 'blank lines between events');
      w.close();
    } finally {
      server.faults.splitChunks(false);
    }
  });

  test('nextInvalidJsonLine writes the next event as a line that is not JSON, then carries on', async () => {
    const w = await watchSecrets();
    server.faults.nextInvalidJsonLine('secrets');
    server.create('secrets', secret('garbled'));
    server.create('secrets', secret('fine'));
    const garbage = await w.nextLine();
    assert.throws(() => JSON.parse(garbage));
    assert.equal((await w.take(1))[0]!.object.metadata.name, 'fine');
    w.close();
  });

  test('restart drops every connection, keeps objects and the resourceVersion counter, and serves on the same URL', async () => {
    server.create('secrets', secret('survivor'));
    const rv = server.resourceVersion;
    const url = server.url;
    const w = await watchSecrets();
    await server.faults.restart();
    await assert.rejects(w.next());
    assert.equal(server.url, url);
    const list = await requestJson(`${url}/api/v1/namespaces/f/secrets/survivor`);
    assert.equal(list.body.metadata.resourceVersion, rv);
    const created = server.create('secrets', secret('after-restart'));
    assert.equal(created.metadata.resourceVersion, String(Number(rv) + 1));
  });

  test('closeNewWatches ends every new watch right after its headers until disabled', async () => {
    server.faults.closeNewWatches(true, 'secrets');
    for (let i = 0; i < 3; i++) {
      const w = await watchSecrets();
      assert.equal(w.status, 200);
      assert.deepEqual(await w.rest(), []);
    }
    server.faults.closeNewWatches(false, 'secrets');
    const w = await watchSecrets();
    server.create('secrets', secret('after-closing'));
    assert.equal((await w.take(1))[0]!.object.metadata.name, 'after-closing');
    w.close();
  });

  test('hangNextRequest leaves the matching request unanswered while other requests are served', async () => {
    server.faults.hangNextRequest({ resource: 'secrets', verb: 'list' });
    const controller = new AbortController();
    let settled = false;
    const hung = fetch(`${server.url}/api/v1/secrets?hang=1`, { signal: controller.signal }).finally(() => (settled = true));
    hung.catch(() => {});
    while (!server.requests.some((r) => r.query.get('hang') === '1')) await new Promise((r) => setImmediate(r));
    const served = await requestJson(`${server.url}/api/v1/secrets`);
    assert.equal(served.status, 200);
    assert.equal(settled, false);
    controller.abort();
    await assert.rejects(hung, { name: 'AbortError' });
  });

  test('records every request with method, path, query and time', async () => {
    const before = server.requests.length;
    await requestJson(`${server.url}/api/v1/namespaces/f/secrets?limit=3&labelSelector=a%3Db`);
    const record = server.requests.at(-1)!;
    assert.equal(server.requests.length, before + 1);
    assert.deepEqual([record.method, record.path, record.query.get('limit'), record.query.get('labelSelector')], [
      'GET',
      '/api/v1/namespaces/f/secrets',
      '3',
      'a=b',
    ]);
    assert.equal(typeof record.at, 'number');
    assert.deepEqual(server.errors, []);
  });
});

describe('TestApiServer authentication', { timeout: 20_000 }, () => {
  test('answers 401 Unauthorized to requests without the bearer token', async () => {
    const server = await TestApiServer.start({ token: 's3cret' });
    try {
      const anonymous = await requestJson(`${server.url}/api/v1/pods`);
      assert.deepEqual([anonymous.status, anonymous.body.reason], [401, 'Unauthorized']);
      const wrong = await requestJson(`${server.url}/api/v1/pods`, { headers: { authorization: 'Bearer nope' } });
      assert.equal(wrong.status, 401);
      const ok = await requestJson(`${server.url}/api/v1/pods`, { headers: { authorization: 'Bearer s3cret' } });
      assert.equal(ok.status, 200);
    } finally {
      await server.close();
    }
  });
});
