import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, TestApiServer } from './index.ts';
import { openWatch, requestJson, sendJsonBody } from './raw-client.ts';

const leases = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases';
const lease = (name: string, holder: string, resourceVersion?: string) => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name, namespace: 'kube-system', ...(resourceVersion === undefined ? {} : { resourceVersion }) },
  spec: { holderIdentity: holder, leaseDurationSeconds: 15 },
});

describe('TestApiServer writes over HTTP', { timeout: 20_000 }, () => {
  let server: TestApiServer;
  before(async () => {
    server = await TestApiServer.start();
  });
  after(() => server.close());

  test('creates with POST (201, server-set uid and resourceVersion) and refuses a duplicate with 409 AlreadyExists', async () => {
    const watch = await openWatch(`${server.url}${leases}?watch=1&resourceVersion=${server.resourceVersion}`);
    const created = await sendJsonBody(`${server.url}${leases}`, 'POST', lease('leader', 'a'));
    assert.equal(created.status, 201);
    assert.deepEqual([created.body.kind, created.body.metadata.namespace], ['Lease', 'kube-system']);
    assert.equal(created.body.metadata.resourceVersion, server.resourceVersion);
    assert.match(created.body.metadata.uid, /^[0-9a-f-]{36}$/);
    const [added] = await watch.take(1);
    assert.deepEqual([added!.type, added!.object.spec.holderIdentity], ['ADDED', 'a']);
    watch.close();
    const duplicate = await sendJsonBody(`${server.url}${leases}`, 'POST', lease('leader', 'b'));
    assert.deepEqual([duplicate.status, duplicate.body.reason], [409, 'AlreadyExists']);
  });

  test('refuses a body whose namespace differs from the path with 400', async () => {
    const body = { metadata: { name: 'x', namespace: 'elsewhere' } };
    const res = await sendJsonBody(`${server.url}${leases}`, 'POST', body);
    assert.deepEqual([res.status, res.body.reason], [400, 'BadRequest']);
  });

  test('names an object from generateName', async () => {
    const res = await sendJsonBody(`${server.url}${leases}`, 'POST', { metadata: { generateName: 'gen-' } });
    assert.equal(res.status, 201);
    assert.match(res.body.metadata.name, /^gen-[a-z0-9]{5}$/);
  });

  test('updates with PUT when the resourceVersion is current, and answers 409 Conflict when it is stale', async () => {
    const current = server.get('leases', 'kube-system', 'leader')!;
    const rv = current.metadata.resourceVersion!;
    const ok = await sendJsonBody(`${server.url}${leases}/leader`, 'PUT', lease('leader', 'b', rv));
    assert.equal(ok.status, 200);
    assert.notEqual(ok.body.metadata.resourceVersion, rv);
    assert.equal(ok.body.metadata.uid, current.metadata.uid);
    const stale = await sendJsonBody(`${server.url}${leases}/leader`, 'PUT', lease('leader', 'c', rv));
    assert.deepEqual([stale.status, stale.body.reason], [409, 'Conflict']);
    assert.match(stale.body.message, /the object has been modified/);
    assert.equal((server.get('leases', 'kube-system', 'leader')!.spec as { holderIdentity: string }).holderIdentity, 'b');
  });

  test('updates unconditionally with PUT when no resourceVersion is given, and answers 404 for a missing object', async () => {
    const ok = await sendJsonBody(`${server.url}${leases}/leader`, 'PUT', lease('leader', 'd'));
    assert.equal(ok.status, 200);
    const missing = await sendJsonBody(`${server.url}${leases}/absent`, 'PUT', lease('absent', 'd'));
    assert.deepEqual([missing.status, missing.body.reason], [404, 'NotFound']);
    const renamed = await sendJsonBody(`${server.url}${leases}/leader`, 'PUT', lease('other', 'd'));
    assert.equal(renamed.status, 400);
  });

  test('applies a JSON merge patch, removing fields set to null', async () => {
    const patch = { metadata: { labels: { role: 'primary' } }, spec: { leaseDurationSeconds: null, holderIdentity: 'e' } };
    const res = await sendJsonBody(`${server.url}${leases}/leader`, 'PATCH', patch, 'application/merge-patch+json');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.spec, { holderIdentity: 'e' });
    assert.deepEqual(res.body.metadata.labels, { role: 'primary' });
    const jsonPatch = await sendJsonBody(`${server.url}${leases}/leader`, 'PATCH', [], 'application/json-patch+json');
    assert.equal(jsonPatch.status, 415);
  });

  test('deletes with DELETE (200 Success Status), honours a stale precondition with 409, then answers 404', async () => {
    const current = server.get('leases', 'kube-system', 'leader')!;
    const stale = await sendJsonBody(`${server.url}${leases}/leader`, 'DELETE', { preconditions: { resourceVersion: '1' } });
    assert.equal(stale.status, 409);
    const res = await requestJson(`${server.url}${leases}/leader`, { method: 'DELETE' });
    assert.deepEqual([res.status, res.body.status, res.body.details.uid], [200, 'Success', current.metadata.uid]);
    assert.equal(server.get('leases', 'kube-system', 'leader'), undefined);
    const again = await requestJson(`${server.url}${leases}/leader`, { method: 'DELETE' });
    assert.equal(again.status, 404);
  });

  test('answers 405 for a verb the resource does not serve', async () => {
    const readOnly = await TestApiServer.start({
      resources: [{ group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false, verbs: ['get', 'list'] }],
    });
    try {
      const res = await sendJsonBody(`${readOnly.url}/api/v1/nodes`, 'POST', { metadata: { name: 'n' } });
      assert.deepEqual([res.status, res.body.reason], [405, 'MethodNotAllowed']);
      assert.equal((await requestJson(`${readOnly.url}/api/v1/nodes`)).status, 200);
    } finally {
      await readOnly.close();
    }
  });
});

describe('TestApiServer programmatic state', { timeout: 20_000 }, () => {
  let server: TestApiServer;
  before(async () => {
    server = await TestApiServer.start();
  });
  after(() => server.close());

  test('counts one global resourceVersion across resources and returns caller-owned copies', async () => {
    const start = Number(server.resourceVersion);
    const a = server.create('pods', { metadata: { name: 'a', namespace: 'n' } });
    const b = server.create({ group: 'networking.k8s.io', resource: 'ingresses' }, { metadata: { name: 'b', namespace: 'n' } });
    assert.deepEqual([a.metadata.resourceVersion, b.metadata.resourceVersion], [String(start + 1), String(start + 2)]);
    assert.deepEqual([b.kind, b.apiVersion], ['Ingress', 'networking.k8s.io/v1']);
    const copy = server.get('pods', 'n', 'a')!;
    copy.metadata.name = 'mutated';
    assert.equal(server.get('pods', 'n', 'a')!.metadata.name, 'a');
  });

  test('keeps uid and creationTimestamp across updates and stamps the deletion resourceVersion on the last state', async () => {
    const created = server.create('configmaps', { metadata: { name: 'c', namespace: 'n' }, data: { v: '1' } });
    const updated = server.update('configmaps', { metadata: { name: 'c', namespace: 'n' }, data: { v: '2' } });
    assert.equal(updated.metadata.uid, created.metadata.uid);
    assert.equal(updated.metadata.creationTimestamp, created.metadata.creationTimestamp);
    const last = server.delete('configmaps', 'n', 'c')!;
    assert.equal(last.metadata.resourceVersion, server.resourceVersion);
    assert.deepEqual(last.data, { v: '2' });
    assert.equal(server.delete('configmaps', 'n', 'c'), undefined);
  });

  test('lists in namespace-then-name order and upserts', async () => {
    server.upsert('services', { metadata: { name: 'z', namespace: 'a' } });
    server.upsert('services', { metadata: { name: 'a', namespace: 'b' } });
    server.upsert('services', { metadata: { name: 'a', namespace: 'a-b' } });
    server.upsert('services', { metadata: { name: 'z', namespace: 'a' }, spec: { type: 'ClusterIP' } });
    const list = server.list('services').map((s) => `${s.metadata.namespace}/${s.metadata.name}`);
    assert.deepEqual(list, ['a/z', 'a-b/a', 'b/a']);
    assert.deepEqual(server.get('services', 'a', 'z')!.spec, { type: 'ClusterIP' });
  });

  test('throws typed errors for an existing name, a missing object, a wrong scope and an unknown resource', () => {
    server.create('namespaces', { metadata: { name: 'taken' } });
    const apiError = (code: number) => (e: unknown) => e instanceof ApiError && e.code === code;
    assert.throws(() => server.create('namespaces', { metadata: { name: 'taken' } }), apiError(409));
    assert.throws(() => server.update('pods', { metadata: { name: 'none', namespace: 'n' } }), apiError(404));
    assert.throws(() => server.create('pods', { metadata: { name: 'no-namespace' } }), apiError(422));
    assert.throws(() => server.create('widgets', { metadata: { name: 'w' } }), /does not serve resource widgets/);
  });
});
