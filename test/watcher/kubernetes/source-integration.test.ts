/**
 * The source against the test API server beyond the protocol scenarios (scenarios.test.ts):
 * per-resource problems (401, 403, unknown kind) reported and recovered from, metadata-only
 * watches.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/k8s.ts';
import { WatchError } from '../../../src/watcher/index.ts';
import { eventually } from '../../support/waiters.ts';
import { cm, converged, assertSameState, startCluster } from './support/cluster.ts';

describe('KubernetesSource against the test API server', () => {
  test('report 403 per resource with the RBAC hint, keep the other resources going, and recover once granted', async () => {
    const c = await startCluster({ resources: [{ name: 'configmaps' }, { name: 'ingresses' }], seed: { configmaps: [cm('a')] } });
    try {
      c.server.faults.permanentStatus(403, { resource: 'ingresses', verb: 'list' });
      await eventually(() => c.sink('configmaps').syncedCount === 1, 'configmaps synced');
      await eventually(() => c.source.status()[1]?.lastProblem !== undefined, 'ingresses reported');
      const [cms, ing] = c.source.status();
      assert.deepEqual(cms, { resource: 'configmaps', synced: true });
      assert.equal(ing?.synced, false);
      assert.equal(ing?.lastProblem?.status, 403);
      assert.match(ing!.lastProblem!.message, /^forbidden: cannot list networking\.k8s\.io\/ingresses in all namespaces; grant list,watch \(RBAC\): ingresses\.networking\.k8s\.io is forbidden/);
      c.server.faults.permanentStatus(undefined);
      c.server.create('ingresses', { metadata: { name: 'web', namespace: 'default' }, spec: {} });
      await eventually(() => c.sink('ingresses').syncedCount === 1, 'ingresses synced once allowed');
      assert.equal(c.source.status()[1]?.lastProblem, undefined);
      await converged(c, 'ingresses');
    } finally {
      await c.close();
    }
  });

  test('report a wrong token as unauthorized, naming the verb and resource', async () => {
    const c = await startCluster({ server: { token: 'right' }, token: 'wrong' });
    try {
      await eventually(() => c.source.status()[0]?.lastProblem !== undefined, 'reported');
      const problem = c.source.status()[0]!.lastProblem!;
      assert.equal(problem.status, 401);
      assert.match(problem.message, /^unauthorized: the API server rejected the credentials to get API discovery of v1/);
    } finally {
      await c.close();
    }
  });

  test('report a kind the server does not serve, with a suggestion', async () => {
    const c = await startCluster({ resources: [{ name: 'ingresses', kind: 'Ingres' }] });
    try {
      await eventually(() => c.source.status()[0]?.lastProblem !== undefined, 'reported');
      assert.equal(c.source.status()[0]!.lastProblem!.message, 'api_version networking.k8s.io/v1 has no kind Ingres; did you mean Ingress?');
    } finally {
      await c.close();
    }
  });

  test('watch metadata only when asked: objects keep apiVersion, kind and metadata, nothing else', async () => {
    const c = await startCluster({ seed: { configmaps: [cm('a', { big: 'x'.repeat(1000) })] }, metadataOnly: ['configmaps'] });
    try {
      await eventually(() => c.sink().syncedCount === 1, 'synced');
      c.server.create('configmaps', cm('b', { big: 'y' }));
      c.server.update('configmaps', cm('a', { big: 'z' }));
      await eventually(() => c.sink().objects.get('default/a')?.metadata.resourceVersion === c.server.get('configmaps', 'default', 'a')?.metadata.resourceVersion, 'a updated');
      await eventually(() => c.sink().objects.has('default/b'), 'b added');
      const metadataOnly = (o: KubeObject): KubeObject => ({ kind: 'ConfigMap', apiVersion: 'v1', metadata: o.metadata });
      assertSameState(c.sink(), c.server.list('configmaps').map(metadataOnly));
      const accepts = c.server.requests.filter((r) => r.path.endsWith('/configmaps')).map((r) => String(r.headers.accept));
      assert.ok(accepts.every((a) => a.startsWith('application/json;as=PartialObjectMetadata')), accepts.join(' | '));
    } finally {
      await c.close();
    }
  });

  test('fetch one object on demand: the current version, undefined when absent, a named error when denied', async () => {
    const c = await startCluster({ resources: [{ name: 'secrets' }], seed: { secrets: [{ metadata: { name: 'tls', namespace: 'web' }, data: { k: 'dg==' } }] } });
    try {
      await assert.rejects(c.source.fetch('pods', { namespace: 'web', name: 'x' }), (err: unknown) => err instanceof WatchError && /pods is not a watched resource/.test(err.message));
      assert.deepEqual(await c.source.fetch('secrets', { namespace: 'web', name: 'tls' }), c.server.get('secrets', 'web', 'tls'));
      assert.equal(await c.source.fetch('secrets', { namespace: 'web', name: 'missing' }), undefined);
      c.server.faults.nextStatus(403, { resource: 'secrets', verb: 'get' });
      await assert.rejects(c.source.fetch('secrets', { namespace: 'web', name: 'tls' }), (err: unknown) => {
        assert.ok(err instanceof WatchError);
        assert.equal(err.status, 403);
        assert.match(err.message, /^forbidden: cannot get secrets web\/tls; grant get \(RBAC\)/);
        return true;
      });
    } finally {
      await c.close();
    }
    await assert.rejects(c.source.fetch('secrets', { namespace: 'web', name: 'tls' }), (err: unknown) => err instanceof WatchError && /not started/.test(err.message));
  });
});
