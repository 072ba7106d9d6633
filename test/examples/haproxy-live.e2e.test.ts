/**
 * A real HAProxy on loopback, running what the shipped HAProxy templates render for two
 * tenants (alpha with TLS, beta) while mallory's whole hostile table is present: requests
 * for alpha's and beta's hosts still reach their own backends (small node:http servers),
 * nothing answers for mallory's injected directives, and no injected listener exists.
 * Binds, certificate paths and the stats socket are moved to free loopback ports and a
 * temporary folder (support/shipped.ts); nothing else of the rendered config changes.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../../src/k8s.ts';
import { freePorts } from '../support/local-server.ts';
import { haproxySkipReason, TestHaproxy } from '../support/haproxy.ts';
import { CERT_A, tlsSecret } from '../support/tls-fixtures.ts';
import { endpoint, endpointSlice, HOSTILE_ROWS, LONG_HOST, service, TENANT } from './support/hostile.ts';
import { get, portOf } from './support/requests.ts';
import { exampleManifests, renderShipped, runnableConfig, shippedTemplates, type ShippedTemplate } from './support/shipped.ts';

/** A backend that answers "<tenant> <path>". */
async function tenantBackend(tenant: string): Promise<http.Server> {
  const server = http.createServer((req, res) => res.end(`${tenant} ${req.url}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** A tenant's Ingress for `host` (Prefix `path`), its Service and an EndpointSlice at 127.0.0.1:`port`. */
function tenant(namespace: string, host: string, path: string, port: number, tls: boolean): KubeObject[] {
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', namespace },
      spec: {
        ingressClassName: 'haproxy',
        ...(tls ? { tls: [{ hosts: [host], secretName: 'web-tls' }] } : {}),
        rules: [{ host, http: { paths: [{ path, pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] } }],
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace }, spec: { clusterIP: '10.96.0.1', ports: [{ name: 'http', port: 80 }] } },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-1', namespace, labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: `${namespace}-0` } }],
      ports: [{ name: 'http', port, protocol: 'TCP' }],
    },
    ...(tls ? [tlsSecret(namespace, 'web-tls', CERT_A)] : []),
  ];
}

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, agent: false, timeout: 5_000 }, (response) => {
      response.resume();
      resolve(true);
    });
    request.once('error', () => resolve(false));
    request.once('timeout', () => request.destroy());
  });
}

describe('HAProxy running the shipped templates with the hostile table present', { skip: haproxySkipReason(), timeout: 120_000 }, () => {
  const servers: http.Server[] = [];
  const haproxies: TestHaproxy[] = [];
  const dirs: string[] = [];
  let templates: ShippedTemplate[];
  let cleanup: () => Promise<void>;
  let outputs: Map<string, string>;
  let example: { http: number; https: number };
  let deploy: { http: number };

  before(async () => {
    const [alpha, beta, mallory] = await Promise.all(['alpha', 'beta', TENANT].map(tenantBackend));
    servers.push(alpha!, beta!, mallory!);
    ({ templates, cleanup } = await shippedTemplates());
    const objects = [
      ...(await exampleManifests()),
      ...tenant('alpha', 'alpha.example.test', '/', portOf(alpha!), true),
      ...tenant('beta', 'beta.example.test', '/api', portOf(beta!), false),
      service('web'),
      endpointSlice('web-1', 'web', [endpoint('127.0.0.1', 'web-0')], [{ name: 'http', port: portOf(mallory!), protocol: 'TCP' }]),
      ...HOSTILE_ROWS.flatMap((row) => row.objects),
    ];
    outputs = await renderShipped(templates.filter((t) => t.id !== 'hosts'), objects);
    const [exampleHttp, exampleHttps, exampleStats, deployHttp, deployStats] = await freePorts(5);
    example = { http: exampleHttp!, https: exampleHttps! };
    deploy = { http: deployHttp! };
    const exampleDir = await mkdtemp(join(tmpdir(), 'informant-live-example-'));
    const deployDir = await mkdtemp(join(tmpdir(), 'informant-live-deploy-'));
    dirs.push(exampleDir, deployDir);
    const exampleBinds = new Map([[80, example.http], [443, example.https], [8404, exampleStats!]]);
    const exampleFile = await runnableConfig(exampleDir, outputs.get('haproxy.cfg')!, outputs.get('crt-list.txt')!, exampleBinds);
    haproxies.push(await TestHaproxy.start(exampleFile, example.http));
    const deployFile = await runnableConfig(deployDir, outputs.get('deploy haproxy.cfg')!, undefined, new Map([[8000, deploy.http], [8404, deployStats!]]));
    haproxies.push(await TestHaproxy.start(deployFile, deploy.http));
  });

  after(async () => {
    for (const haproxy of haproxies) await haproxy.stop();
    for (const server of servers) server.close();
    await cleanup?.();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  test('the example sends each tenant to its own backend, over HTTPS where it has a certificate', async () => {
    assert.deepEqual(await get(example.http, 'beta.example.test', '/api/orders'), { status: 200, body: 'beta /api/orders' });
    assert.deepEqual(await get(example.http, 'alpha.example.test', '/cart'), { status: 308, body: '', location: 'https://alpha.example.test/cart' });
    assert.deepEqual(await get(example.https, 'alpha.example.test', '/cart', true), { status: 200, body: 'alpha /cart', certificate: 'informant-test' });
    assert.deepEqual(await get(example.https, 'beta.example.test', '/api', true), { status: 200, body: 'beta /api', certificate: 'informant-test' });
  });

  test('the example answers 404 where only mallory\'s left-out Ingresses would have routed', async () => {
    for (const [host, path] of [
      [LONG_HOST, '/zzz'],
      ['unknown.example.test', '/zzz'],
      ['nl.mallory.example', '/x'],
      ['beta.example.test', '/other'],
    ] as const) {
      const answer = await get(example.http, host, path);
      assert.equal(answer.status, 404, `${host}${path}`);
      assert.doesNotMatch(answer.body, /pwned|mallory/);
    }
  });

  test('the deploy template sends each tenant to its own backend and nothing to mallory\'s left-out routes', async () => {
    assert.deepEqual(await get(deploy.http, 'beta.example.test', '/api/orders'), { status: 200, body: 'beta /api/orders' });
    assert.deepEqual(await get(deploy.http, 'alpha.example.test', '/'), { status: 200, body: 'alpha /' });
    for (const host of [LONG_HOST, 'unknown.example.test', 'greedy.example.test']) {
      const answer = await get(deploy.http, host, '/zzz');
      assert.equal(answer.status, 404, host);
      assert.equal(answer.body, 'no route');
    }
  });

  test('no listener that a hostile value tried to add exists', async () => {
    assert.equal(await listening(9999), false);
  });
});
