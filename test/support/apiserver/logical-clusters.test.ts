import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CLUSTER_ANNOTATION, TestApiServer } from './index.ts';
import { openWatch, requestJson, type RawWatch } from './raw-client.ts';

const cm = (name: string, data: Record<string, string> = {}) => ({ metadata: { name, namespace: 'ns' }, data });
const names = (items: Array<{ metadata: { name: string; annotations?: Record<string, string> } }>) =>
  items.map((o) => `${o.metadata.annotations?.[CLUSTER_ANNOTATION]}/${o.metadata.name}`);

describe('TestApiServer with kcp logical clusters', { timeout: 20_000 }, () => {
  let server: TestApiServer;
  const open: RawWatch[] = [];
  before(async () => {
    server = await TestApiServer.start({ logicalClusters: true, historyWindow: 50 });
  });
  after(async () => {
    for (const w of open) w.close();
    await server.close();
  });
  const watch = async (path: string) => {
    const w = await openWatch(`${server.url}${path}`);
    open.push(w);
    return w;
  };

  test('keeps the objects of each logical cluster apart, each annotated with its logical cluster', async () => {
    server.create('configmaps', cm('web', { from: 'a' }), { cluster: 'apart-a' });
    server.create('configmaps', cm('web', { from: 'b' }), { cluster: 'apart-b' });
    const a = await requestJson(`${server.url}/clusters/apart-a/api/v1/namespaces/ns/configmaps/web`);
    assert.deepEqual([a.status, a.body.data.from, a.body.metadata.annotations[CLUSTER_ANNOTATION]], [200, 'a', 'apart-a']);
    const listB = await requestJson(`${server.url}/clusters/apart-b/api/v1/configmaps`);
    assert.deepEqual(names(listB.body.items), ['apart-b/web']);
    const created = await requestJson(`${server.url}/clusters/apart-c/api/v1/namespaces/ns/configmaps`, {
      method: 'POST',
      body: JSON.stringify(cm('posted')),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(created.status, 201);
    assert.deepEqual(names(server.list('configmaps', { cluster: 'apart-c' })), ['apart-c/posted']);
  });

  test('a wildcard LIST reads every logical cluster, paginated across them, each object once', async () => {
    for (const cluster of ['page-1', 'page-2', 'page-3']) {
      for (const name of ['x', 'y']) server.create('secrets', { metadata: { name, namespace: 'ns' } }, { cluster });
    }
    const all = await requestJson(`${server.url}/clusters/*/api/v1/secrets`);
    assert.deepEqual(names(all.body.items), ['page-1/x', 'page-1/y', 'page-2/x', 'page-2/y', 'page-3/x', 'page-3/y']);
    const paged: string[] = [];
    let token = '';
    do {
      const page = await requestJson(`${server.url}/clusters/*/api/v1/secrets?limit=4${token ? `&continue=${token}` : ''}`);
      assert.equal(page.status, 200);
      paged.push(...names(page.body.items));
      token = page.body.metadata.continue ?? '';
    } while (token !== '');
    assert.deepEqual(paged, names(all.body.items));
  });

  test('a wildcard WATCH streams every logical cluster: initial objects, changes, and a deleted workspace\'s deletes', async () => {
    server.create('services', { metadata: { name: 'one', namespace: 'ns' } }, { cluster: 'watch-a' });
    const w = await watch('/clusters/*/api/v1/services?watch=true');
    const [initial] = await w.take(1);
    assert.deepEqual([initial!.type, initial!.object.metadata.annotations[CLUSTER_ANNOTATION]], ['ADDED', 'watch-a']);
    server.create('services', { metadata: { name: 'two', namespace: 'ns' } }, { cluster: 'watch-b' });
    server.create('services', { metadata: { name: 'three', namespace: 'ns' } }, { cluster: 'watch-b' });
    const added = await w.take(2);
    assert.deepEqual(added.map((e) => `${e.type} ${e.object.metadata.annotations[CLUSTER_ANNOTATION]}/${e.object.metadata.name}`), [
      'ADDED watch-b/two',
      'ADDED watch-b/three',
    ]);
    assert.equal(server.deleteLogicalCluster('watch-b'), 2);
    const deleted = await w.take(2);
    assert.deepEqual(deleted.map((e) => e.type), ['DELETED', 'DELETED']);
    assert.deepEqual(names(server.list('services', { cluster: 'watch-b' })), []);
  });

  test('a wildcard WATCH from a resourceVersion replays every logical cluster\'s changes in order', async () => {
    const from = server.resourceVersion;
    server.create('namespaces', { metadata: { name: 'e1' } }, { cluster: 'replay-b' });
    server.create('namespaces', { metadata: { name: 'e2' } }, { cluster: 'replay-a' });
    server.create('namespaces', { metadata: { name: 'e3' } }, { cluster: 'replay-b' });
    const w = await watch(`/clusters/*/api/v1/namespaces?watch=true&resourceVersion=${from}`);
    const events = await w.take(3);
    assert.deepEqual(events.map((e) => e.object.metadata.name), ['e1', 'e2', 'e3']);
    const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
    assert.deepEqual(rvs, [...rvs].sort((a, b) => a - b));
  });

  test('the wildcard serves LIST and WATCH only, and every path names a logical cluster', async () => {
    const get = await requestJson(`${server.url}/clusters/*/api/v1/namespaces/ns/configmaps/web`);
    assert.equal(get.status, 400);
    assert.match(get.body.message, /serves list and watch only/);
    const plain = await requestJson(`${server.url}/api/v1/configmaps`);
    assert.equal(plain.status, 404);
    const discovery = await requestJson(`${server.url}/clusters/*/api/v1`);
    assert.equal(discovery.status, 200);
    assert.throws(() => server.create('configmaps', cm('nowhere')), /needs the logical cluster/);
  });
});
