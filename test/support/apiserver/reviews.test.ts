import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestApiServer } from './index.ts';
import { sendJsonBody } from './raw-client.ts';

describe('TestApiServer reviews', () => {
  let server: TestApiServer;
  before(async () => {
    server = await TestApiServer.start();
    server.identities.add('prometheus-token', { username: 'system:serviceaccount:monitoring:prometheus', groups: ['system:serviceaccounts'] });
    server.create('clusterroles', {
      metadata: { name: 'metrics-reader' },
      rules: [{ nonResourceURLs: ['/metrics', '/debug/*'], verbs: ['get'] }],
    } as never);
    server.create('clusterrolebindings', {
      metadata: { name: 'prometheus-metrics' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'metrics-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' }],
    } as never);
  });
  after(() => server.close());

  const tokenReview = (token: string) =>
    sendJsonBody(`${server.url}/apis/authentication.k8s.io/v1/tokenreviews`, 'POST', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } });
  const accessReview = (user: string, path: string, verb = 'get', groups: string[] = []) =>
    sendJsonBody(`${server.url}/apis/authorization.k8s.io/v1/subjectaccessreviews`, 'POST', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user, groups, nonResourceAttributes: { path, verb } },
    });

  test('a TokenReview authenticates registered tokens only', async () => {
    const known = await tokenReview('prometheus-token');
    assert.equal(known.status, 201);
    assert.deepEqual(known.body.status, { authenticated: true, user: { username: 'system:serviceaccount:monitoring:prometheus', groups: ['system:serviceaccounts'] } });
    const unknown = await tokenReview('forged');
    assert.equal(unknown.body.status.authenticated, false);
  });

  test('a SubjectAccessReview allows what a bound ClusterRole grants: exact paths, prefixes ending in *, listed verbs', async () => {
    const sa = 'system:serviceaccount:monitoring:prometheus';
    const allowed = async (user: string, path: string, verb?: string) => (await accessReview(user, path, verb)).body.status.allowed;
    assert.equal(await allowed(sa, '/metrics'), true);
    assert.equal(await allowed(sa, '/debug/stores/secrets'), true);
    assert.equal(await allowed(sa, '/metricsx'), false, 'an exact path matches exactly');
    assert.equal(await allowed(sa, '/metrics', 'post'), false);
    assert.equal(await allowed('system:serviceaccount:other:prometheus', '/metrics'), false, 'another namespace is another subject');
    assert.ok(server.identities.counts.accessReviews >= 5);
  });
});
