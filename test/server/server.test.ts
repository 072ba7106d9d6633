import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/index.ts';
import { Controller } from '../../src/controller/controller.ts';
import { HealthCheck } from '../../src/controller/health.ts';
import { controllerBackend } from '../../src/daemon/server-backend.ts';
import type { KubeObject } from '../../src/k8s.ts';
import { silentLogger } from '../../src/log.ts';
import { StatusServer } from '../../src/server/index.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { ScriptedSource, service } from '../controller/support/scripted-source.ts';

const dirs: string[] = [];
const servers: StatusServer[] = [];
after(async () => {
  for (const server of servers) await server.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUW\n-----END CERTIFICATE-----\n';
const KEY_B64 = Buffer.from('super-secret-private-key-material').toString('base64');

function tlsSecret(namespace: string, name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { namespace, name, uid: `uid-${name}`, resourceVersion: '1' },
    data: { 'tls.crt': Buffer.from(CERT).toString('base64'), 'tls.key': KEY_B64 },
  };
}

/** The template of the site: it fails when a Service named "broken" exists. */
const SITE =
  "{% for s in resources.services %}{{ s.metadata.name }}:{{ s.spec.ports[0].port }}{% if s.metadata.name == 'broken' %}{{ s.spec.nope.deeper }}{% endif %}\\n{% endfor %}{% for t in resources.secrets %}{{ t.data['tls.crt'] | b64decode | safe }}{{ t.data['tls.key'] }}\\n{% endfor %}";

/** A config whose template (by default SITE) fails when a Service named "broken" exists. */
function configYaml(server: string, servicesIndexBy = '[metadata.namespace, metadata.name]', secrets = '', template = SITE): string {
  return `
watched_resources:
  services: {api_version: v1, kind: Service, index_by: ${servicesIndexBy}}
  secrets: {api_version: v1, kind: Secret${secrets}}
source:
  files: {path: manifests}
templates:
  site:
    inline: "${template}"
    output: out/site.txt
render: {debounce: 100ms, max_wait: 1s}
server: {listen: "127.0.0.1:0"${server}}
`;
}

async function setup(options: { server?: string; holdSync?: string[]; servicesIndexBy?: string; secrets?: string; template?: string } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'informant-server-'));
  dirs.push(dir);
  const config = parseConfig(configYaml(options.server ?? ', debug: true', options.servicesIndexBy, options.secrets, options.template), join(dir, 'config.yaml'));
  const clock = new FakeClock();
  const source = new ScriptedSource(
    { services: [service('shop', 'web', 80), service('blog', 'api', 8080)], secrets: [tlsSecret('shop', 'web-tls')] },
    { holdSync: options.holdSync ?? [] },
  );
  const controller = new Controller({ config, logger: silentLogger(), watch: true, clock, createSource: () => source });
  const backend = controllerBackend(controller, { health: new HealthCheck({ clock }), election: () => undefined });
  const server = await StatusServer.start({ listen: config.server.listen!, backend, logger: silentLogger() });
  servers.push(server);
  const get = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${server.url}${path}`, init);
    const text = await response.text();
    const json = text !== '' && response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : undefined;
    return { status: response.status, text, json, headers: response.headers };
  };
  const render = async (): Promise<void> => {
    clock.advance(100);
    await controller.idle();
  };
  return { controller, source, clock, get, render, server };
}

describe('StatusServer over a controller', () => {
  test('/readyz flips with sync and with render failures; /healthz stays ok', async () => {
    const t = await setup({ holdSync: ['secrets'] });
    await t.controller.start();
    let ready = await t.get('/readyz');
    assert.equal(ready.status, 503);
    assert.equal(ready.json.status, 'not ready');
    assert.deepEqual(ready.json.reasons, ['watched resource "secrets" has not synced yet']);

    t.source.sync('secrets');
    ready = await t.get('/readyz');
    assert.equal(ready.status, 503, 'synced but not rendered yet');
    assert.deepEqual(ready.json.reasons, ['the first render has not finished yet']);
    await t.render();
    ready = await t.get('/readyz');
    assert.deepEqual([ready.status, ready.json], [200, { status: 'ready' }]);

    t.source.add('services', service('shop', 'broken', 1));
    await t.render();
    ready = await t.get('/readyz');
    assert.equal(ready.status, 200, 'the last good output stays in place: still ready');
    assert.match(ready.json.warnings[0], /^template "site": render failed: <inline:site>:1:\d+: .*\(its last good output stays in place\)$/);
    assert.equal((await t.get('/healthz')).status, 200, 'a failing render does not make the process unhealthy');

    t.source.delete('services', service('shop', 'broken', 1));
    await t.render();
    ready = await t.get('/readyz');
    assert.deepEqual([ready.status, ready.json], [200, { status: 'ready' }]);
    const health = await t.get('/healthz');
    assert.deepEqual([health.status, health.json], [200, { status: 'healthy' }]);
    await t.controller.stop();
  });

  test('with server.readiness strict, /readyz answers 503 while the last render of a template failed', async () => {
    const t = await setup({ server: ', readiness: strict' });
    await t.controller.start();
    await t.render();
    assert.equal((await t.get('/readyz')).status, 200);
    t.source.add('services', service('shop', 'broken', 1));
    await t.render();
    const ready = await t.get('/readyz');
    assert.equal(ready.status, 503);
    assert.match(ready.json.reasons[0], /^template "site": render failed: <inline:site>:1:\d+: /);
    assert.match((await t.get('/metrics')).text, /^informant_ready 0$/m);
    await t.controller.stop();
  });

  test('an object left out shows in /debug/outputs and the metrics, counted once while it lasts, and keeps the replica ready', async () => {
    const t = await setup();
    await t.controller.start();
    await t.render();
    const evil = service('shop', 'evil', 81);
    t.source.add('services', { ...evil, spec: { ports: [{ port: '81\nlisten pwned' }] } });
    await t.render();
    const outputs = await t.get('/debug/outputs');
    assert.equal(outputs.json[0].last.status, 'unchanged', 'the rendering without the object is the one already written');
    assert.deepEqual(
      outputs.json[0].leftOut.map((r: { resource: string; namespace: string; name: string; reason: string }) => [r.resource, r.namespace, r.name, r.reason]),
      [['services', 'shop', 'evil', 'the value printed at <inline:site>:1:59 holds a line break (U+000A) at character 3 (escape: line)']],
    );
    assert.doesNotMatch((await t.get('/debug/outputs/site')).text, /pwned|evil/);
    assert.deepEqual([(await t.get('/readyz')).status, (await t.get('/readyz')).json], [200, { status: 'ready' }]);
    t.source.add('services', service('shop', 'more', 82));
    await t.render();
    let metrics = (await t.get('/metrics')).text;
    assert.match(metrics, /^informant_template_rejected_objects_total\{template="site",resource="services"\} 1$/m);
    assert.match(metrics, /^informant_template_left_out_objects\{template="site",resource="services"\} 1$/m);
    t.source.delete('services', evil);
    await t.render();
    metrics = (await t.get('/metrics')).text;
    assert.doesNotMatch(metrics, /^informant_template_left_out_objects\{/m);
    assert.match(metrics, /^informant_template_rejected_objects_total\{template="site",resource="services"\} 1$/m);
    await t.controller.stop();
  });

  test("a template's memo cache shows in /metrics and /debug/outputs", async () => {
    const t = await setup({ template: '{% for s in resources.services %}{% memo s %}{{ s.metadata.name }}\\n{% endmemo %}{% endfor %}' });
    await t.controller.start();
    await t.render();
    t.source.add('services', service('shop', 'more', 82));
    await t.render();
    const metrics = (await t.get('/metrics')).text;
    assert.match(metrics, /^informant_template_memo_hits_total\{template="site"\} 2$/m);
    assert.match(metrics, /^informant_template_memo_misses_total\{template="site"\} 3$/m);
    assert.match(metrics, /^informant_template_memo_entries\{template="site"\} 3$/m);
    assert.match(metrics, /^informant_template_memo_bytes\{template="site"\} [1-9]\d*$/m);
    const memo = (await t.get('/debug/outputs')).json[0].memo;
    assert.deepEqual({ ...memo, bytes: memo.bytes > 0 }, { hits: 2, misses: 3, uncacheable: 0, entries: 3, bytes: true });
    await t.controller.stop();
  });

  test('/readyz stays ready without an optional resource past its sync_timeout, and says so in notes', async () => {
    const t = await setup({ holdSync: ['secrets'], secrets: ', optional: true, sync_timeout: 2s' });
    await t.controller.start();
    assert.equal((await t.get('/readyz')).status, 503, 'not ready before its timeout');
    t.clock.advance(2_000);
    await t.render();
    const ready = await t.get('/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.json.status, 'ready');
    assert.match(ready.json.notes[0], /^watched resource "secrets" has not synced after 2 s: .*it is optional: the outputs are rendered without it/);
    await t.controller.stop();
  });

  test('/metrics serves the Prometheus text format with render and store metrics', async () => {
    const t = await setup();
    await t.controller.start();
    await t.render();
    const metrics = await t.get('/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(metrics.text, /# TYPE informant_render_duration_seconds histogram/);
    assert.match(metrics.text, /informant_render_duration_seconds_count\{template="site"\} 1/);
    assert.match(metrics.text, /informant_renders_total\{template="site",result="written"\} 1/);
    assert.match(metrics.text, /informant_render_last_success_timestamp_seconds\{template="site"\} \d+/);
    assert.match(metrics.text, /informant_store_objects\{resource="services"\} 2/);
    assert.match(metrics.text, /informant_ready 1/);
    await t.controller.stop();
  });

  test('/debug/stores lists the stores and queries one by key prefix and JSONPath', async () => {
    const t = await setup();
    await t.controller.start();
    const index = await t.get('/debug/');
    assert.equal(index.status, 200);
    assert.ok(Object.keys(index.json.endpoints).includes('/debug/stores'));
    const stores = await t.get('/debug/stores');
    assert.deepEqual(
      stores.json.map((s: { resource: string; size: number; synced: boolean; indexBy: string[] }) => [s.resource, s.size, s.synced, s.indexBy]),
      [
        ['services', 2, true, ['metadata.namespace', 'metadata.name']],
        ['secrets', 1, true, ['metadata.namespace', 'metadata.name']],
      ],
    );
    const shop = await t.get('/debug/stores/services?keys=shop');
    assert.equal(shop.status, 200);
    assert.equal(shop.json.count, 1);
    assert.equal(shop.json.objects[0].metadata.name, 'web');
    const exact = await t.get('/debug/stores/services?key=blog&key=api&jsonpath=spec.ports[*].port');
    assert.deepEqual(exact.json.results, [{ id: 'blog/api', values: [8080] }]);
    const all = await t.get('/debug/stores/services?limit=1');
    assert.deepEqual([all.json.count, all.json.objects.length, all.json.truncated], [2, 1, true]);

    const filter = await t.get(`/debug/stores/services?jsonpath=${encodeURIComponent('spec.ports[?(@.port>1)]')}`);
    assert.equal(filter.status, 400);
    assert.match(filter.json.error, /^jsonpath: /);
    const tooMany = await t.get('/debug/stores/services?keys=a,b,c');
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.json.error, /index_by: metadata\.namespace, metadata\.name/);
    const unknown = await t.get('/debug/stores/nope');
    assert.deepEqual([unknown.status, unknown.json.error], [404, 'no store named "nope"; stores: services, secrets']);
    await t.controller.stop();
  });

  test('/debug/stores names the multi-valued index_by expressions, and a store query shows the keys of each object', async () => {
    const t = await setup({ servicesIndexBy: '[metadata.namespace, "spec.ports[*].port"]' });
    await t.controller.start();
    t.source.add('services', { ...service('shop', 'multi', 80), spec: { ports: [{ port: 80 }, { port: 443 }] } });
    await t.render();
    const stores = await t.get('/debug/stores');
    assert.deepEqual(stores.json[0].multiValued, ['spec.ports[*].port']);
    assert.deepEqual(stores.json[1].multiValued, []);
    const shop = await t.get('/debug/stores/services?keys=shop');
    assert.deepEqual(shop.json.objects.map((o: KubeObject) => o.metadata.name), ['multi', 'web']);
    assert.deepEqual(shop.json.indexKeys, [
      { id: 'shop/multi', keys: [['shop', '80'], ['shop', '443']] },
      { id: 'shop/web', keys: [['shop', '80']] },
    ]);
    const https = await t.get('/debug/stores/services?keys=shop,443');
    assert.deepEqual(https.json.indexKeys.map((k: { id: string }) => k.id), ['shop/multi']);
    await t.controller.stop();
  });

  test('never shows Secret data in /debug/ unless allow_secrets is on', async () => {
    const t = await setup();
    await t.controller.start();
    await t.render();
    const secrets = await t.get('/debug/stores/secrets');
    assert.deepEqual(secrets.json.objects[0].data, { 'tls.crt': '[redacted]', 'tls.key': '[redacted]' });
    const path = await t.get(`/debug/stores/secrets?jsonpath=${encodeURIComponent("data['tls.key']")}`);
    assert.deepEqual(path.json.results[0].values, ['[redacted]']);
    const output = await t.get('/debug/outputs/site');
    assert.equal(output.status, 403, 'the template reads Secrets: its output is withheld');
    assert.match(output.json.error, /^template "site" reads Secret data, so its output is not shown \(server\.allow_secrets: true shows it\)$/);
    assert.ok(!output.text.includes(KEY_B64));
    await t.controller.stop();

    const open = await setup({ server: ', debug: true, allow_secrets: true' });
    await open.controller.start();
    await open.render();
    assert.equal((await open.get('/debug/stores/secrets')).json.objects[0].data['tls.key'], KEY_B64);
    assert.ok((await open.get('/debug/outputs/site')).text.includes(KEY_B64));
    await open.controller.stop();
  });

  test('/debug/outputs, /debug/config and /debug/sync describe the running controller', async () => {
    const t = await setup();
    await t.controller.start();
    await t.render();
    const outputs = await t.get('/debug/outputs');
    assert.equal(outputs.json[0].template, 'site');
    assert.equal(outputs.json[0].last.status, 'written');
    assert.match(outputs.json[0].checksum, /^[0-9a-f]{64}$/);
    assert.equal((await t.get('/debug/outputs/nope')).status, 404);
    assert.equal((await t.get('/debug/outputs/site?rejected=1')).status, 403, 'withheld: the template reads Secrets');
    const config = await t.get('/debug/config');
    assert.deepEqual(Object.keys(config.json.render), ['debounceMs', 'maxWaitMs', 'syncTimeoutMs', 'commandTimeoutMs', 'timeoutMs', 'memo']);
    const sync = await t.get('/debug/sync');
    assert.equal(sync.json.synced, true);
    assert.deepEqual(sync.json.resources.map((r: { resource: string }) => r.resource), ['services', 'secrets']);
    assert.deepEqual(sync.json.leaderElection, { enabled: false });
    await t.controller.stop();
  });

  test('/readyz and /debug/sync report a publisher that has not published for longer than 5 minutes', async () => {
    const t = await setup();
    await t.controller.start();
    await t.render();
    let failingForMs = 5 * 60_000;
    const reason = 'failing since 2026-01-01T00:00:00.000Z: etcd commit: unreachable';
    t.controller.observePublication(() => ({ publishing: true, reason, failingForMs }));
    assert.equal((await t.get('/readyz')).status, 200, 'exactly at the limit is still ready');
    failingForMs += 1_000;
    const ready = await t.get('/readyz');
    assert.equal(ready.status, 503);
    assert.deepEqual(ready.json.reasons, [`publisher: not publishing for 301 s: ${reason}`]);
    assert.deepEqual((await t.get('/debug/sync')).json.publisher, { publishing: true, reason, failingForMs });
    t.controller.observePublication(() => ({ publishing: false, reason: 'not the leader: the leader publishes' }));
    assert.equal((await t.get('/readyz')).status, 200, 'a follower is ready');
    await t.controller.stop();
  });

  test('turns the debug endpoints off with server.debug: false, keeping probes and metrics', async () => {
    const t = await setup({ server: ', debug: false' });
    await t.controller.start();
    for (const path of ['/debug/', '/debug/stores', '/debug/stores/secrets', '/debug/outputs/site', '/debug/config', '/debug/sync']) {
      const answer = await t.get(path);
      assert.equal(answer.status, 404, path);
      assert.match(answer.json.error, /turned off \(server\.debug: false\)/);
    }
    assert.equal((await t.get('/metrics')).status, 200);
    assert.notEqual((await t.get('/readyz')).status, 404);
    await t.controller.stop();
  });

  test('answers only GET and HEAD, and names unknown paths', async () => {
    const t = await setup();
    const post = await t.get('/readyz', { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    const head = await t.get('/healthz', { method: 'HEAD' });
    assert.deepEqual([head.status, head.text], [200, '']);
    const missing = await t.get('/nope');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json.endpoints, ['/healthz', '/readyz', '/metrics', '/debug/']);
    assert.equal((await t.get('/debug/nope')).status, 404);
  });
});
