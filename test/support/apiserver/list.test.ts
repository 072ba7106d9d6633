import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestApiServer } from './index.ts';
import { seededRandom } from './random.ts';
import { requestJson } from './raw-client.ts';

const pod = (name: string, namespace = 'default', labels: Record<string, string> = {}) => ({
  metadata: { name, namespace, labels },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
});

describe('TestApiServer discovery', { timeout: 20_000 }, () => {
  let server: TestApiServer;
  before(async () => {
    server = await TestApiServer.start();
  });
  after(() => server.close());

  test('serves the core and group resource lists with kind, scope and verbs', async () => {
    const core = await requestJson(`${server.url}/api/v1`);
    assert.equal(core.body.kind, 'APIResourceList');
    assert.equal(core.body.groupVersion, 'v1');
    const pods = core.body.resources.find((r: { name: string }) => r.name === 'pods');
    assert.deepEqual(
      { kind: pods.kind, namespaced: pods.namespaced, singularName: pods.singularName },
      { kind: 'Pod', namespaced: true, singularName: 'pod' },
    );
    assert.ok(pods.verbs.includes('watch'));
    const networking = await requestJson(`${server.url}/apis/networking.k8s.io/v1`);
    assert.deepEqual(networking.body.resources.map((r: { name: string }) => r.name), ['ingresses']);
  });

  test('lists the API groups with their preferred version, and the core versions', async () => {
    const groups = await requestJson(`${server.url}/apis`);
    assert.equal(groups.body.kind, 'APIGroupList');
    const names = groups.body.groups.map((g: { name: string }) => g.name).sort();
    assert.deepEqual(names, ['coordination.k8s.io', 'discovery.k8s.io', 'networking.k8s.io', 'rbac.authorization.k8s.io']);
    const group = await requestJson(`${server.url}/apis/networking.k8s.io`);
    assert.deepEqual(group.body.preferredVersion, { groupVersion: 'networking.k8s.io/v1', version: 'v1' });
    const api = await requestJson(`${server.url}/api`);
    assert.deepEqual(api.body.versions, ['v1']);
  });

  test('reports a version.Info and answers 404 with a Status for unknown paths', async () => {
    const version = await requestJson(`${server.url}/version`);
    assert.match(version.body.gitVersion, /^v1\.\d+\.\d+$/);
    const missing = await requestJson(`${server.url}/apis/example.com/v1/widgets`);
    assert.equal(missing.status, 404);
    assert.deepEqual([missing.body.kind, missing.body.reason, missing.body.code], ['Status', 'NotFound', 404]);
  });
});

describe('TestApiServer list', { timeout: 20_000 }, () => {
  let server: TestApiServer;
  before(async () => {
    server = await TestApiServer.start({ historyWindow: 50 });
  });
  after(() => server.close());

  test('returns a typed list whose items carry no kind or apiVersion, at the current resourceVersion', async () => {
    server.create('ingresses', { metadata: { name: 'web', namespace: 'shop' }, spec: { rules: [] } });
    const res = await requestJson(`${server.url}/apis/networking.k8s.io/v1/namespaces/shop/ingresses`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(res.body.kind, 'IngressList');
    assert.equal(res.body.apiVersion, 'networking.k8s.io/v1');
    assert.equal(res.body.metadata.resourceVersion, server.resourceVersion);
    assert.equal(res.body.items.length, 1);
    const [item] = res.body.items;
    assert.equal(item.kind, undefined);
    assert.equal(item.apiVersion, undefined);
    assert.deepEqual(Object.keys(item), ['metadata', 'spec']);
    assert.match(item.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(item.metadata.resourceVersion, /^\d+$/);
    assert.match(item.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  test('serves every page of a paginated list from one snapshot while objects change between pages', async () => {
    for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) server.create('pods', pod(name, 'paging'));
    const expected = server.list('pods').filter((p) => p.metadata.namespace === 'paging');
    const base = `${server.url}/api/v1/namespaces/paging/pods?limit=2`;
    const first = await requestJson(base);
    const snapshotRv = first.body.metadata.resourceVersion;
    assert.equal(first.body.metadata.remainingItemCount, 3);
    server.delete('pods', 'paging', 'p4');
    server.update('pods', { ...pod('p3', 'paging'), spec: { changed: true } });
    server.create('pods', pod('p6', 'paging'));
    server.create('pods', pod('p0', 'paging'));
    const pages = [first];
    while (pages.at(-1)!.body.metadata.continue) {
      const token = encodeURIComponent(pages.at(-1)!.body.metadata.continue);
      pages.push(await requestJson(`${base}&continue=${token}`));
    }
    assert.deepEqual(pages.map((p) => p.body.metadata.resourceVersion), [snapshotRv, snapshotRv, snapshotRv]);
    const items = pages.flatMap((p) => p.body.items);
    assert.deepEqual(
      items.map((i) => [i.metadata.name, i.metadata.resourceVersion, i.spec.changed]),
      expected.map((e) => [e.metadata.name, e.metadata.resourceVersion, undefined]),
    );
    assert.deepEqual(pages.map((p) => p.body.metadata.remainingItemCount), [3, 1, undefined]);
  });

  test('keeps the pages of one namespace free of objects deleted from other namespaces between pages', async () => {
    for (const [namespace, name] of [['leak-a', 'x'], ['leak-b', 'p1'], ['leak-b', 'p2'], ['leak-c', 'y']]) {
      server.create('pods', pod(name!, namespace));
    }
    const first = await requestJson(`${server.url}/api/v1/namespaces/leak-b/pods?limit=1`);
    server.delete('pods', 'leak-a', 'x');
    server.delete('pods', 'leak-c', 'y');
    const token = encodeURIComponent(first.body.metadata.continue);
    const second = await requestJson(`${server.url}/api/v1/namespaces/leak-b/pods?limit=1&continue=${token}`);
    assert.deepEqual([...first.body.items, ...second.body.items].map((i: any) => i.metadata.name), ['p1', 'p2']);
    assert.equal(second.body.metadata.continue, undefined);
  });

  test('keeps every page consistent under random creates, updates, deletes and recreations between pages', async () => {
    const random = seededRandom(7);
    const names = Array.from({ length: 8 }, (_, i) => `r${i}`);
    const namespaces = ['ra', 'rb', 'rc'];
    const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!;
    for (const name of names) server.create('endpointslices', { metadata: { name, namespace: pick(namespaces) } });
    for (const scope of ['/apis/discovery.k8s.io/v1/endpointslices', '/apis/discovery.k8s.io/v1/namespaces/rb/endpointslices']) {
      const expected = server
        .list('endpointslices')
        .filter((o) => scope.includes('/namespaces/') ? o.metadata.namespace === 'rb' : true)
        .map((o) => `${o.metadata.namespace}/${o.metadata.name}@${o.metadata.resourceVersion}`);
      const seen: string[] = [];
      let token = '';
      do {
        const page = await requestJson(`${server.url}${scope}?limit=2${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
        seen.push(...page.body.items.map((i: any) => `${i.metadata.namespace}/${i.metadata.name}@${i.metadata.resourceVersion}`));
        token = page.body.metadata.continue ?? '';
        for (let op = 0; op < 8; op++) {
          const [namespace, name] = [pick(namespaces), pick(names)];
          const existing = server.get('endpointslices', namespace, name);
          if (existing === undefined) server.create('endpointslices', { metadata: { name, namespace } });
          else if (random() < 0.5) server.delete('endpointslices', namespace, name);
          else server.update('endpointslices', { metadata: { name, namespace }, endpoints: [] });
        }
      } while (token !== '');
      assert.deepEqual(seen, expected);
    }
  });

  test('filters by namespace, label selector and field selector, and rejects a malformed selector with 400', async () => {
    server.create('pods', pod('a', 'sel', { app: 'web', tier: '1' }));
    server.create('pods', pod('b', 'sel', { app: 'api', tier: '3' }));
    server.create('pods', pod('c', 'other', { app: 'web' }));
    const names = async (query: string) =>
      (await requestJson(`${server.url}/api/v1/pods?${query}`)).body.items.map((i: any) => i.metadata.name);
    assert.deepEqual(await names(`labelSelector=${encodeURIComponent('app in (web,api),tier>2')}`), ['b']);
    assert.deepEqual(await names(`labelSelector=${encodeURIComponent('app=web')}`), ['c', 'a']);
    assert.deepEqual(await names(`fieldSelector=${encodeURIComponent('metadata.namespace=sel,metadata.name!=a')}`), ['b']);
    const bad = await requestJson(`${server.url}/api/v1/pods?labelSelector=${encodeURIComponent('app in (web')}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.reason, 'BadRequest');
    const badField = await requestJson(`${server.url}/api/v1/pods?fieldSelector=spec.nodeName%3Dx`);
    assert.equal(badField.status, 400);
    assert.match(badField.body.message, /field label not supported: spec.nodeName/);
  });

  test('answers 410 Expired with a fresh continue token once continue tokens are expired', async () => {
    for (const name of ['e1', 'e2', 'e3']) server.create('configmaps', { metadata: { name, namespace: 'exp' } });
    const base = `${server.url}/api/v1/namespaces/exp/configmaps?limit=1`;
    const first = await requestJson(base);
    server.faults.expireContinueTokens();
    const expired = await requestJson(`${base}&continue=${encodeURIComponent(first.body.metadata.continue)}`);
    assert.equal(expired.status, 410);
    assert.deepEqual([expired.body.reason, expired.body.code], ['Expired', 410]);
    const resumed = await requestJson(`${base}&continue=${encodeURIComponent(expired.body.metadata.continue)}`);
    assert.equal(resumed.status, 200);
    assert.deepEqual(resumed.body.items.map((i: any) => i.metadata.name), ['e2']);
  });

  test('answers 410 for a continue token whose snapshot fell out of the history window', async () => {
    const small = await TestApiServer.start({ historyWindow: 2 });
    try {
      for (const name of ['h1', 'h2', 'h3']) small.create('secrets', { metadata: { name, namespace: 'ns' } });
      const first = await requestJson(`${small.url}/api/v1/secrets?limit=1`);
      for (let i = 0; i < 3; i++) small.update('secrets', { metadata: { name: 'h1', namespace: 'ns' }, data: { i: String(i) } });
      const res = await requestJson(`${small.url}/api/v1/secrets?limit=1&continue=${encodeURIComponent(first.body.metadata.continue)}`);
      assert.equal(res.status, 410);
      assert.equal(res.body.reason, 'Expired');
    } finally {
      await small.close();
    }
  });

  test('serves resourceVersionMatch=Exact from history, 410 before it and 504 beyond the current version', async () => {
    server.create('services', { metadata: { name: 's1', namespace: 'rv' } });
    const at = Number(server.resourceVersion);
    server.create('services', { metadata: { name: 's2', namespace: 'rv' } });
    const exact = await requestJson(`${server.url}/api/v1/namespaces/rv/services?resourceVersion=${at}&resourceVersionMatch=Exact`);
    assert.deepEqual(exact.body.items.map((i: any) => i.metadata.name), ['s1']);
    assert.equal(exact.body.metadata.resourceVersion, String(at));
    const notOlder = await requestJson(`${server.url}/api/v1/namespaces/rv/services?resourceVersion=${at}`);
    assert.deepEqual(notOlder.body.items.map((i: any) => i.metadata.name), ['s1', 's2']);
    const future = await requestJson(`${server.url}/api/v1/services?resourceVersion=${at + 100}`);
    assert.equal(future.status, 504);
    assert.equal(future.body.details.causes[0].reason, 'ResourceVersionTooLarge');
    server.faults.compact();
    const old = await requestJson(`${server.url}/api/v1/services?resourceVersion=${at}&resourceVersionMatch=Exact`);
    assert.equal(old.status, 410);
  });

  test('gets one object with kind and apiVersion, and answers 404 NotFound for a missing one', async () => {
    server.create('pods', pod('one', 'get'));
    const res = await requestJson(`${server.url}/api/v1/namespaces/get/pods/one`);
    assert.deepEqual([res.body.kind, res.body.apiVersion, res.body.metadata.name], ['Pod', 'v1', 'one']);
    const missing = await requestJson(`${server.url}/api/v1/namespaces/get/pods/none`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.message, 'pods "none" not found');
  });

  test('serves metadata only when asked for PartialObjectMetadataList', async () => {
    server.create('secrets', { metadata: { name: 'meta', namespace: 'pom' }, data: { password: 'c2VjcmV0' } });
    const res = await requestJson(`${server.url}/api/v1/namespaces/pom/secrets`, {
      headers: { accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json' },
    });
    assert.equal(res.body.kind, 'PartialObjectMetadataList');
    assert.deepEqual(Object.keys(res.body.items[0]), ['kind', 'apiVersion', 'metadata']);
    assert.equal(res.body.items[0].metadata.name, 'meta');
  });
});
