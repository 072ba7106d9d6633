import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { rbacManifests } from '../../src/cli/rbac.ts';
import { parseConfig } from '../../src/config/index.ts';
import { createApiClient, type HttpApiClient } from '../../src/kube/index.ts';
import { DEFAULTS, kubernetesAccess } from '../../src/server/access.ts';
import { TestApiServer } from '../support/apiserver/index.ts';
import { writeKubeconfig } from '../kube/support/kubeconfig-file.ts';

const PROMETHEUS = 'system:serviceaccount:monitoring:prometheus';

describe('kubernetesAccess', () => {
  let server: TestApiServer;
  let client: HttpApiClient;
  let dir: string;
  before(async () => {
    server = await TestApiServer.start({ token: 'informant-sa-token' });
    dir = await mkdtemp(join(tmpdir(), 'informant-access-'));
    client = createApiClient({ kubeconfig: writeKubeconfig(dir, server.url, { token: 'informant-sa-token' }) });
    server.identities.add('prometheus-token', { username: PROMETHEUS, groups: ['system:serviceaccounts'] });
    server.identities.add('intruder-token', { username: 'system:serviceaccount:shop:web' });
    // The reader roles `informant rbac` prints, bound as its output says to.
    const config = parseConfig('server: {listen: "0.0.0.0:8080", auth: kubernetes, debug: true}\n');
    for (const role of rbacManifests(config, { name: 'informant', namespace: 'informant' }).manifests.filter((m) => /-reader$/.test(String(m.metadata.name)))) {
      server.create('clusterroles', role as never);
    }
    server.create('clusterrolebindings', {
      metadata: { name: 'prometheus-informant-metrics' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'informant-metrics-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' }],
    } as never);
  });
  after(async () => {
    client.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('401 without a token or with one the API server refuses; 403 without RBAC; allowed with the printed reader role', async () => {
    const check = kubernetesAccess({ sender: client });
    const none = await check({ token: undefined, path: '/metrics', verb: 'get' });
    assert.deepEqual([none.allowed, !none.allowed && none.status], [false, 401]);
    const forged = await check({ token: 'forged', path: '/metrics', verb: 'get' });
    assert.deepEqual([forged.allowed, !forged.allowed && forged.status], [false, 401]);
    const intruder = await check({ token: 'intruder-token', path: '/metrics', verb: 'get' });
    assert.equal(intruder.allowed, false);
    assert.equal(!intruder.allowed && intruder.status, 403);
    assert.match(!intruder.allowed ? intruder.reason : '', /^system:serviceaccount:shop:web may not get \/metrics/);
    assert.deepEqual(await check({ token: 'prometheus-token', path: '/metrics', verb: 'get' }), { allowed: true, user: PROMETHEUS });
    const debug = await check({ token: 'prometheus-token', path: '/debug/stores/secrets', verb: 'get' });
    assert.equal(debug.allowed, false, 'the metrics reader does not read /debug/');
  });

  test('caches answers: repeated scrapes cost one review of each kind until the cache time passes', async () => {
    let now = 1_000;
    const check = kubernetesAccess({ sender: client, now: () => now });
    const before = { ...server.identities.counts };
    for (let i = 0; i < 10; i++) assert.equal((await check({ token: 'prometheus-token', path: '/metrics', verb: 'get' })).allowed, true);
    assert.deepEqual(server.identities.counts, { tokenReviews: before.tokenReviews + 1, accessReviews: before.accessReviews + 1 });
    now += DEFAULTS.authenticatedTtlMs + 1;
    await check({ token: 'prometheus-token', path: '/metrics', verb: 'get' });
    assert.deepEqual(server.identities.counts, { tokenReviews: before.tokenReviews + 2, accessReviews: before.accessReviews + 1 }, 'the token is reviewed again, the access answer is still fresh');
    const parallel = await Promise.all(Array.from({ length: 5 }, () => check({ token: 'intruder-token', path: '/metrics', verb: 'get' })));
    assert.ok(parallel.every((d) => !d.allowed));
    assert.equal(server.identities.counts.tokenReviews, before.tokenReviews + 3, 'concurrent checks of one token share one review');
  });

  test('a token revoked on the API server is refused once its cached answer expires', async () => {
    let now = 1_000;
    const check = kubernetesAccess({ sender: client, now: () => now });
    server.identities.add('short-lived', { username: PROMETHEUS });
    assert.equal((await check({ token: 'short-lived', path: '/metrics', verb: 'get' })).allowed, true);
    server.identities.revoke('short-lived');
    now += DEFAULTS.authenticatedTtlMs + 1;
    assert.equal((await check({ token: 'short-lived', path: '/metrics', verb: 'get' })).allowed, false);
  });

  test('answers 500, and caches nothing, when the API server cannot review', async () => {
    const down = await TestApiServer.start();
    const kubeconfig = writeKubeconfig(dir, down.url, { file: 'down' });
    const broken = createApiClient({ kubeconfig });
    await down.close();
    const check = kubernetesAccess({ sender: broken });
    const decision = await check({ token: 'prometheus-token', path: '/metrics', verb: 'get' });
    assert.equal(!decision.allowed && decision.status, 500);
    assert.match(!decision.allowed ? decision.reason : '', /^cannot check access with the API server: create tokenreviews: /);
    broken.close();
  });
});
