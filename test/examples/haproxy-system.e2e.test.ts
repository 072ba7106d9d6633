/**
 * The HAProxy example end to end: `informant run` (a real process) renders the example's
 * templates (copies of examples/templates, unchanged) from the example's manifests into a
 * folder, with vars that bind HAProxy to free loopback ports; a real HAProxy runs in
 * master-worker mode on the rendered files, and informant's on_change reloads it (SIGUSR2
 * to the master). The manifests' EndpointSlices point at small node:http servers that
 * answer with their Service's name, and their TLS Secrets hold the example's self-signed
 * certificates (the PEM files informant writes are what HAProxy serves). The test checks:
 * - every route kind of the example reaches its backend, and SNI picks each certificate;
 * - an EndpointSlice change and a new Ingress with a new TLS Secret are followed;
 * - a bounded client loop during those reloads sees no failed request;
 * - a rendering validate (`haproxy -c`) refuses is not written, HAProxy keeps serving, and
 *   /readyz says why.
 */
import assert from 'node:assert/strict';
import type http from 'node:http';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import type { KubeObject } from '../../src/k8s.ts';
import { startCli, type RunningCli } from '../support/cli.ts';
import { checkConfig, haproxySkipReason, selfSignedCertificate, TestHaproxy } from '../support/haproxy.ts';
import { freePorts } from '../support/local-server.ts';
import { eventually } from '../support/waiters.ts';
import { backend, get, portOf, type Answer } from './support/requests.ts';
import { exampleManifests, ROOT } from './support/shipped.ts';
import { startTraffic } from './support/traffic.ts';

/** How long informant and HAProxy may take to follow a change (a guard against a hang, not a goal). */
const FOLLOW_TIMEOUT_MS = 60_000;

/** The backends by "<namespace>/<service>", created as the manifests need them. */
class Backends {
  readonly servers = new Map<string, http.Server>();

  async portOf(name: string): Promise<number> {
    let server = this.servers.get(name);
    if (server === undefined) {
      server = await backend(name);
      this.servers.set(name, server);
    }
    return portOf(server);
  }

  close(): void {
    for (const server of this.servers.values()) server.close();
  }
}

/** An EndpointSlice of the example pointed at its Service's backend: every endpoint ready at 127.0.0.1, every port at the backend's. */
async function onLoopback(slice: KubeObject, backends: Backends): Promise<KubeObject | undefined> {
  const s = slice as KubeObject & { addressType: string; endpoints: Array<Record<string, unknown>> | null; ports: Array<Record<string, unknown>> };
  if (s.addressType !== 'IPv4') return undefined;
  const port = await backends.portOf(`${s.metadata.namespace}/${s.metadata.labels!['kubernetes.io/service-name']}`);
  return {
    ...s,
    endpoints: (s.endpoints ?? []).map((ep) => ({ ...ep, addresses: ['127.0.0.1'], conditions: { ready: true } })),
    ports: s.ports.map((p) => ({ ...p, port })),
  } as KubeObject;
}

/** The file a manifest object is kept in (one object per file, so a change rewrites one file). */
function manifestFile(dir: string, obj: KubeObject): string {
  return join(dir, 'manifests', `${obj.kind}-${obj.metadata.namespace ?? ''}-${obj.metadata.name}.json`);
}

async function writeManifest(dir: string, obj: KubeObject): Promise<void> {
  await writeFile(manifestFile(dir, obj), JSON.stringify(obj, null, 2));
}

/** examples/config.yaml, run from `dir`: its manifests and templates there, the test's vars, validate and on_change. */
async function exampleConfig(dir: string, vars: Record<string, unknown>, listen: string, pidFile: string): Promise<string> {
  const config = parse(await readFile(join(ROOT, 'examples', 'config.yaml'), 'utf8')) as Record<string, any>;
  const reload = ['sh', '-c', 'test ! -f "$0" || kill -USR2 "$(cat "$0")"', pidFile];
  config.source = { files: { path: 'manifests', debounce: '50ms' } };
  config.vars = { ...config.vars, ...vars };
  for (const template of Object.values(config.templates as Record<string, Record<string, unknown>>)) template.on_change = reload;
  config.templates['haproxy.cfg'].validate = ['haproxy', '-c', '-f', '{{ file }}'];
  config.render = { debounce: '100ms', max_wait: '1s' };
  config.server = { listen };
  delete config.test_files;
  const file = join(dir, 'config.yaml');
  await writeFile(file, stringify(config));
  return file;
}

/** A new tenant: an Ingress of class haproxy for `host` with TLS, its Service, an EndpointSlice at `port`, and its TLS Secret. */
function newTenant(host: string, port: number, pair: { cert: string; key: string }): KubeObject[] {
  const ns = 'newcomer';
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', namespace: ns },
      spec: {
        ingressClassName: 'haproxy',
        tls: [{ hosts: [host], secretName: 'web-tls' }],
        rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] } }],
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns }, spec: { ports: [{ name: 'http', port: 80 }] } },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-1', namespace: ns, labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'web-0' } }],
      ports: [{ name: 'http', port, protocol: 'TCP' }],
    } as KubeObject,
    {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: { name: 'web-tls', namespace: ns },
      data: { 'tls.crt': Buffer.from(pair.cert).toString('base64'), 'tls.key': Buffer.from(pair.key).toString('base64') },
    } as KubeObject,
  ];
}

/** GET /readyz of informant's server. */
async function readyz(port: number): Promise<{ status: number; body: { status: string; reasons?: string[]; warnings?: string[] } }> {
  const answer = await get(port, '127.0.0.1', '/readyz');
  return { status: answer.status, body: JSON.parse(answer.body) };
}

describe('the HAProxy example, run by informant in front of a real HAProxy', { skip: haproxySkipReason(), timeout: 300_000 }, () => {
  const backends = new Backends();
  let dir: string;
  let informant: RunningCli;
  let haproxy: TestHaproxy;
  let ports: { http: number; https: number; stats: number; informant: number };
  /** Every slice of the manifests, by service, as written. */
  const slices = new Map<string, KubeObject>();
  const logs = (): string => `\n--- informant ---\n${informant?.output().slice(-4000)}\n--- haproxy ---\n${haproxy?.output.slice(-3000)}`;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'informant-system-'));
    await mkdir(join(dir, 'manifests'));
    await cp(join(ROOT, 'examples', 'templates'), join(dir, 'templates'), { recursive: true });
    const [http, https, stats, server] = await freePorts(4);
    ports = { http: http!, https: https!, stats: stats!, informant: server! };
    for (const obj of await exampleManifests()) {
      const written = obj.kind === 'EndpointSlice' ? await onLoopback(obj, backends) : obj;
      if (written === undefined) continue;
      if (written.kind === 'EndpointSlice') slices.set(`${written.metadata.namespace}/${written.metadata.labels!['kubernetes.io/service-name']}`, written);
      await writeManifest(dir, written);
    }
    const pidFile = join(dir, 'haproxy.pid');
    const vars = { bind_address: '127.0.0.1', http_port: ports.http, https_port: ports.https, stats_port: ports.stats, stats_socket: join(dir, 'admin.sock') };
    const config = await exampleConfig(dir, vars, `127.0.0.1:${ports.informant}`, pidFile);
    informant = startCli(['run', '--config', config], { cwd: dir });
    await eventually(async () => (await readyz(ports.informant).catch(() => undefined))?.status === 200, 'informant is ready', { timeoutMs: FOLLOW_TIMEOUT_MS, intervalMs: 100 }).catch((err: Error) => {
      throw new Error(`${err.message}${logs()}`);
    });
    haproxy = await TestHaproxy.start(join(dir, 'out', 'haproxy.cfg'), ports.http, { masterWorker: { pidFile } });
    await eventually(() => readFile(pidFile, 'utf8').catch(() => ''), 'HAProxy wrote its pid file');
  });

  after(async () => {
    await informant?.stop();
    await haproxy?.stop();
    backends.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** The body, status and certificate of a request through HAProxy. */
  const via = async (host: string, path: string, tls = true): Promise<Answer> => get(tls ? ports.https : ports.http, host, path, tls);

  /** Points shop/cart's EndpointSlice at the backend `to` and waits until HAProxy sends /cart there. */
  const moveCart = async (to: string): Promise<void> => {
    const port = await backends.portOf(to);
    const cart = slices.get('shop/cart') as KubeObject & { ports: Array<Record<string, unknown>> };
    await writeManifest(dir, { ...cart, ports: cart.ports.map((p) => ({ ...p, port })) } as KubeObject);
    await eventually(async () => (await via('shop.example.com', '/cart')).body === to, `requests reach ${to}`, { timeoutMs: FOLLOW_TIMEOUT_MS, intervalMs: 50 }).catch(
      (err: Error) => {
        throw new Error(`${err.message}${logs()}`);
      },
    );
  };

  test('informant wrote one PEM file per TLS Secret, the crt-list naming exactly them, and a config haproxy -c accepts', async () => {
    const checked = await checkConfig(join(dir, 'out', 'haproxy.cfg'));
    assert.ok(checked.ok, checked.output);
    const crtList = await readFile(join(dir, 'out', 'crt-list.txt'), 'utf8');
    const named = [...new Set([...crtList.matchAll(/^certs\/(\S+) /gm)].map((m) => m[1]))].sort();
    const manifest = JSON.parse(await readFile(join(dir, 'out', 'certs', '.informant-certs.manifest'), 'utf8')) as { files: string[] };
    assert.deepEqual(named, manifest.files);
    assert.deepEqual(manifest.files, ['blog_blog-tls.pem', 'blog_preview-wildcard-tls.pem', 'internal_internal-wildcard-tls.pem', 'shop_api-shop-tls.pem', 'shop_shop-tls.pem']);
  });

  test('every route kind of the example reaches its backend', async () => {
    const routes: Array<[string, string, string]> = [
      ['shop.example.com', '/', 'shop/storefront'],
      ['shop.example.com', '/cart', 'shop/cart'], // Prefix, by path segment
      ['shop.example.com', '/cart/items/1', 'shop/cart'],
      ['shop.example.com', '/carts', 'shop/storefront'], // not a segment of /cart
      ['shop.example.com', '/api/v1/checkout', 'shop/checkout'], // Exact
      ['shop.example.com', '/api/v1/checkout/x', 'shop/storefront'],
      ['api.shop.example.com', '/static/app.js', 'shop/storefront'], // ImplementationSpecific: a plain prefix
      ['api.shop.example.com', '/staticfiles', 'shop/storefront'],
      ['blog.example.com', '/assets/site.css', 'blog/static'], // a Service port without a name
      ['blog.example.com', '/feed.xml', 'blog/ghost'],
      ['x.preview.blog.example.com', '/', 'blog/preview'], // wildcard host: one label
      ['grafana.internal.example.com', '/', 'internal/grafana'],
      ['prometheus.internal.example.com', '/alertmanager/', 'internal/alertmanager'],
    ];
    for (const [host, path, expected] of routes) {
      const answer = await via(host, path);
      assert.equal(answer.body, expected, `https://${host}${path}: ${JSON.stringify(answer)}`);
      assert.equal(answer.status, 200);
    }
    for (const [host, path] of [['a.b.preview.blog.example.com', '/'], ['unknown.example.test', '/'], ['anything.example.test', '/.well-known/security.txt']] as const) {
      assert.deepEqual(await via(host, path, false), { status: 200, body: 'internal/default-http-backend' }, `default backend for ${host}${path}`);
    }
    assert.deepEqual(await via('shop.example.com', '/cart', false), { status: 308, body: '', location: 'https://shop.example.com/cart' });
  });

  test('SNI picks the certificate of each host, wildcards included', async () => {
    for (const [host, subject] of [
      ['shop.example.com', 'shop.example.com'],
      ['www.shop.example.com', 'shop.example.com'],
      ['api.shop.example.com', 'api.shop.example.com'],
      ['grafana.internal.example.com', '*.internal.example.com'],
      ['x.preview.blog.example.com', '*.preview.blog.example.com'],
    ] as const) {
      assert.equal((await via(host, '/')).certificate, subject, host);
    }
  });

  test('an EndpointSlice change and a new TLS Ingress are followed through reloads, and no request fails meanwhile', async (t) => {
    const reloadsBefore = haproxy.reloads;
    const traffic = startTraffic(
      [
        { port: ports.https, host: 'shop.example.com', path: '/cart', tls: true, accept: (a) => a.status === 200 && /^shop\/cart(-moved)?$/.test(a.body) },
        { port: ports.http, host: 'unknown.example.test', path: '/', accept: (a) => a.status === 200 && a.body === 'internal/default-http-backend' },
      ],
      { workersPerTarget: 2, minimum: 2_000, maximum: 20_000, pauseMs: 15 },
    );
    // A backend moved to another port (its new Pod), the old one still answering while HAProxy drains it.
    await moveCart('shop/cart-moved');
    // A new tenant with a new host and its own certificate.
    const host = 'shop.newcomer.example.test';
    for (const obj of newTenant(host, await backends.portOf('newcomer/web'), await selfSignedCertificate(host))) await writeManifest(dir, obj);
    const served = await eventually(
      async () => {
        const answer = await via(host, '/').catch(() => undefined);
        return answer?.body === 'newcomer/web' ? answer : undefined;
      },
      'the new host is served over HTTPS',
      { timeoutMs: FOLLOW_TIMEOUT_MS, intervalMs: 50 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}${logs()}`);
    });
    assert.equal(served.certificate, host, 'with its own certificate');
    assert.deepEqual(await via(host, '/', false), { status: 308, body: '', location: `https://${host}/` });
    // More reloads while the loop runs: the backend moves back and forth.
    for (const to of ['shop/cart', 'shop/cart-moved', 'shop/cart', 'shop/cart-moved']) await moveCart(to);
    const result = await traffic.stop();
    t.diagnostic(`${result.requests} requests, ${result.failures.length} failed, ${haproxy.reloads - reloadsBefore} reloads of HAProxy meanwhile`);
    assert.deepEqual(result.failures, [], `${result.failures.length} of ${result.requests} requests failed${logs()}`);
    assert.ok(result.requests >= 2_000, `${result.requests} requests`);
    assert.ok((result.bodies.get('shop/cart') ?? 0) > 0 && (result.bodies.get('shop/cart-moved') ?? 0) > 0, 'the loop saw the backend move');
    assert.ok(haproxy.reloads >= reloadsBefore + 6, `HAProxy reloaded during the loop (${haproxy.reloads - reloadsBefore} times)`);
    assert.ok(await readFile(join(dir, 'out', 'certs', 'newcomer_web-tls.pem'), 'utf8'), 'the new PEM file is written');
  });

  test('a rendering haproxy -c refuses is not written, HAProxy keeps serving, and /readyz says why', async () => {
    const before = await readFile(join(dir, 'out', 'haproxy.cfg'), 'utf8');
    const reloadsBefore = haproxy.reloads;
    // An operator's broken edit of the template: HAProxy does not know this directive.
    await appendFile(join(dir, 'templates', 'haproxy.cfg.njk'), '    no-such-directive-here\n');
    const warning = await eventually(
      async () => (await readyz(ports.informant)).body.warnings?.find((w) => w.startsWith('template "haproxy.cfg": validate failed')),
      '/readyz warns that validate refused the new haproxy.cfg',
      { timeoutMs: FOLLOW_TIMEOUT_MS, intervalMs: 200 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}${logs()}`);
    });
    assert.match(warning, /no-such-directive-here/);
    assert.match(warning, /\(its last good output stays in place\)$/);
    const ready = await readyz(ports.informant);
    assert.equal(ready.status, 200, 'the last good config is served: still ready');
    assert.equal(await readFile(join(dir, 'out', 'haproxy.cfg'), 'utf8'), before, 'the output was not replaced');
    assert.equal(haproxy.reloads, reloadsBefore, 'HAProxy was not reloaded');
    assert.deepEqual(await via('shop.example.com', '/cart'), { status: 200, body: 'shop/cart-moved', certificate: 'shop.example.com' });
  });
});
