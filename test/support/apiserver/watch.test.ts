import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestApiServer } from './index.ts';
import { openWatch, requestJson, type RawWatch } from './raw-client.ts';

const cm = (name: string, namespace = 'w', labels: Record<string, string> = {}, data: Record<string, string> = {}) => ({
  metadata: { name, namespace, labels },
  data,
});

describe('TestApiServer watch', { timeout: 20_000 }, () => {
  let server: TestApiServer;
  const open: RawWatch[] = [];
  const watch = async (query: string, path = '/api/v1/namespaces/w/configmaps') => {
    const w = await openWatch(`${server.url}${path}?watch=true&${query}`);
    open.push(w);
    return w;
  };
  before(async () => {
    server = await TestApiServer.start({ historyWindow: 5, bookmarkIntervalMs: 20 });
  });
  after(async () => {
    for (const w of open) w.close();
    await server.close();
  });

  test('resumes from a resourceVersion with the changes strictly after it, objects typed, over a chunked response', async () => {
    server.create('configmaps', cm('before'));
    const from = server.resourceVersion;
    server.update('configmaps', cm('before', 'w', {}, { v: '2' }));
    server.create('configmaps', cm('other-namespace', 'elsewhere'));
    const w = await watch(`resourceVersion=${from}`);
    assert.equal(w.status, 200);
    assert.equal(w.headers.get('content-type'), 'application/json');
    assert.equal(w.headers.get('transfer-encoding'), 'chunked');
    server.delete('configmaps', 'w', 'before');
    const [modified, deleted] = await w.take(2);
    assert.deepEqual([modified!.type, modified!.object.kind, modified!.object.apiVersion], ['MODIFIED', 'ConfigMap', 'v1']);
    assert.equal(modified!.object.data.v, '2');
    assert.equal(deleted!.type, 'DELETED');
    assert.equal(deleted!.object.metadata.resourceVersion, server.resourceVersion);
    w.close();
  });

  test('starts with synthetic ADDED events for the current state when no resourceVersion is given', async () => {
    server.create('configmaps', cm('x1', 'synthetic'));
    server.create('configmaps', cm('x2', 'synthetic'));
    const w = await watch('', '/api/v1/namespaces/synthetic/configmaps');
    const initial = await w.take(2);
    assert.deepEqual(initial.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'x1'], ['ADDED', 'x2']]);
    server.create('configmaps', cm('x3', 'synthetic'));
    const [live] = await w.take(1);
    assert.deepEqual([live!.type, live!.object.metadata.name], ['ADDED', 'x3']);
    w.close();
  });

  test('sends an in-stream 410 Expired ERROR and ends when the resourceVersion is older than the history window', async () => {
    const from = server.resourceVersion;
    for (let i = 0; i < 6; i++) server.upsert('configmaps', cm('churn', 'w', {}, { i: String(i) }));
    const w = await watch(`resourceVersion=${from}`);
    assert.equal(w.status, 200);
    const [error] = await w.take(1);
    assert.equal(error!.type, 'ERROR');
    assert.deepEqual(
      [error!.object.kind, error!.object.status, error!.object.reason, error!.object.code],
      ['Status', 'Failure', 'Expired', 410],
    );
    assert.match(error!.object.message, /^too old resource version: \d+ \(\d+\)$/);
    assert.equal(await w.next(), 'end');
  });

  test('expires every older resourceVersion after compact(), while the current one still resumes', async () => {
    server.create('configmaps', cm('compact-me'));
    const older = Number(server.resourceVersion) - 1;
    server.faults.compact();
    const expired = await watch(`resourceVersion=${older}`);
    assert.equal((await expired.take(1))[0]!.object.code, 410);
    const current = await watch(`resourceVersion=${server.resourceVersion}`);
    server.delete('configmaps', 'w', 'compact-me');
    assert.equal((await current.take(1))[0]!.type, 'DELETED');
    current.close();
  });

  test('sends periodic BOOKMARK events carrying only the resourceVersion when bookmarks are allowed', async () => {
    const w = await watch(`resourceVersion=${server.resourceVersion}&allowWatchBookmarks=true`);
    const [bookmark] = await w.take(1);
    assert.equal(bookmark!.type, 'BOOKMARK');
    assert.deepEqual(bookmark!.object, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: server.resourceVersion } });
    w.close();
  });

  test('ends the stream cleanly after timeoutSeconds', async () => {
    const w = await watch(`resourceVersion=${server.resourceVersion}&timeoutSeconds=1`);
    assert.deepEqual(await w.rest(), []);
  });

  test('streams a list: ADDED for the current state, the initial-events-end bookmark, then live events', async () => {
    server.create('configmaps', cm('s1', 'stream'));
    server.create('configmaps', cm('s2', 'stream'));
    const snapshotRv = server.resourceVersion;
    const w = await watch(
      'sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=',
      '/api/v1/namespaces/stream/configmaps',
    );
    const [a, b, end] = await w.take(3);
    assert.deepEqual([a!.type, a!.object.metadata.name, b!.object.metadata.name], ['ADDED', 's1', 's2']);
    assert.deepEqual(end, {
      type: 'BOOKMARK',
      object: {
        kind: 'ConfigMap',
        apiVersion: 'v1',
        metadata: { resourceVersion: snapshotRv, annotations: { 'k8s.io/initial-events-end': 'true' } },
      },
    });
    server.create('configmaps', cm('s3', 'stream'));
    let live = await w.next();
    while (live !== 'end' && live.type === 'BOOKMARK') live = await w.next();
    assert.deepEqual(live !== 'end' && [live.type, live.object.metadata.name], ['ADDED', 's3']);
    w.close();
  });

  test('rejects sendInitialEvents without resourceVersionMatch=NotOlderThan with 422 Invalid', async () => {
    const res = await requestJson(`${server.url}/api/v1/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true`);
    assert.equal(res.status, 422);
    assert.equal(res.body.reason, 'Invalid');
  });

  test('rejects streaming lists with 422 like an old server when streamingLists is off', async () => {
    const old = await TestApiServer.start({ streamingLists: false });
    try {
      const query = 'watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true';
      const res = await requestJson(`${old.url}/api/v1/configmaps?${query}`);
      assert.equal(res.status, 422);
      assert.match(res.body.message, /WatchList feature gate/);
    } finally {
      await old.close();
    }
  });

  test('turns label changes into ADDED and DELETED for a watch whose selector starts or stops matching', async () => {
    server.create('configmaps', cm('moving', 'sel', { app: 'db' }));
    const w = await watch(
      `resourceVersion=${server.resourceVersion}&labelSelector=${encodeURIComponent('app=web')}`,
      '/api/v1/namespaces/sel/configmaps',
    );
    server.update('configmaps', cm('moving', 'sel', { app: 'web' }));
    server.update('configmaps', cm('moving', 'sel', { app: 'web' }, { touched: 'yes' }));
    server.update('configmaps', cm('moving', 'sel', { app: 'db' }));
    server.update('configmaps', cm('moving', 'sel', { app: 'db' }, { unseen: 'yes' }));
    server.delete('configmaps', 'sel', 'moving');
    server.create('configmaps', cm('marker', 'sel', { app: 'web' }));
    const events = await w.take(4);
    assert.deepEqual(
      events.map((e) => [e.type, e.object.metadata.name, e.object.metadata.labels.app]),
      [
        ['ADDED', 'moving', 'web'],
        ['MODIFIED', 'moving', 'web'],
        ['DELETED', 'moving', 'db'],
        ['ADDED', 'marker', 'web'],
      ],
    );
    w.close();
  });

  test('watches one object through its path', async () => {
    server.create('configmaps', cm('target', 'obj'));
    server.create('configmaps', cm('bystander', 'obj'));
    const w = await watch('', '/api/v1/namespaces/obj/configmaps/target');
    server.update('configmaps', cm('bystander', 'obj', {}, { v: '1' }));
    server.update('configmaps', cm('target', 'obj', {}, { v: '1' }));
    const events = await w.take(2);
    assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'target'], ['MODIFIED', 'target']]);
    w.close();
  });

  test('sends PartialObjectMetadata objects to a metadata-only watch', async () => {
    const w = await openWatch(`${server.url}/api/v1/namespaces/pom/configmaps?watch=1&resourceVersion=${server.resourceVersion}`, {
      headers: { accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1' },
    });
    open.push(w);
    server.create('configmaps', cm('thin', 'pom', {}, { big: 'x'.repeat(1000) }));
    const [event] = await w.take(1);
    assert.deepEqual(Object.keys(event!.object), ['kind', 'apiVersion', 'metadata']);
    assert.equal(event!.object.kind, 'PartialObjectMetadata');
    w.close();
  });
});
