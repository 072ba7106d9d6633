/**
 * The cache endpoints of the debug server over a controller whose Secrets are an
 * on-demand store fed by a folder of manifests: stats, clear and evict-expired, and how
 * they are guarded.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/index.ts';
import { Controller } from '../../src/controller/controller.ts';
import { HealthCheck } from '../../src/controller/health.ts';
import { controllerBackend } from '../../src/daemon/server-backend.ts';
import { silentLogger } from '../../src/log.ts';
import { StatusServer } from '../../src/server/index.ts';
import { FakeClock } from '../support/fake-clock.ts';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups) await cleanup();
});

const MANIFESTS = `
apiVersion: v1
kind: Secret
metadata: {namespace: shop, name: tls}
data: {tls.crt: Y2VydA==}
---
apiVersion: v1
kind: Service
metadata: {namespace: shop, name: web}
spec: {ports: [{port: 80}]}
`;

async function setup(debug = true) {
  const dir = await mkdtemp(join(tmpdir(), 'informant-cache-'));
  await mkdir(join(dir, 'manifests'));
  await writeFile(join(dir, 'manifests', 'all.yaml'), MANIFESTS);
  const config = parseConfig(
    `
watched_resources:
  secrets: {api_version: v1, kind: Secret, store: on-demand, cache_ttl: 10m}
  services: {api_version: v1, kind: Service}
source: {files: {path: manifests, watch: false}}
templates:
  certs:
    inline: "{% for s in resources.secrets.Fetch('shop', 'tls') %}{{ s.data['tls.crt'] | b64decode }}{% endfor %}"
    output: out/certs.txt
server: {listen: "127.0.0.1:0", debug: ${debug}}
`,
    join(dir, 'config.yaml'),
  );
  const controller = new Controller({ config, logger: silentLogger(), watch: false });
  const backend = controllerBackend(controller, { health: new HealthCheck({ clock: new FakeClock() }), election: () => undefined });
  const server = await StatusServer.start({ listen: config.server.listen!, backend, logger: silentLogger() });
  cleanups.push(async () => {
    await server.close();
    await controller.stop();
    await rm(dir, { recursive: true, force: true });
  });
  await controller.start();
  await controller.waitForSync();
  const call = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${server.url}${path}`, init);
    return { status: response.status, json: (await response.json()) as Record<string, any>, allow: response.headers.get('allow') };
  };
  return { controller, call };
}

describe('debug cache endpoints', () => {
  test('show the cache of an on-demand store, clear it and evict expired bodies with POST', async () => {
    const { controller, call } = await setup();
    const [outcome] = await controller.renderAll({ kind: 'callback', write: () => undefined });
    assert.equal(outcome?.content, 'cert');
    const stats = await call('/debug/stores/secrets/cache');
    assert.equal(stats.status, 200);
    assert.equal(stats.json.cache.entries, 1);
    assert.equal(stats.json.cache.fetches, 1);
    const summaries = await call('/debug/stores');
    assert.equal((summaries.json as unknown as Array<{ cache?: { entries: number } }>)[0]!.cache?.entries, 1);

    const expired = await call('/debug/stores/secrets/cache/evict-expired', { method: 'POST' });
    assert.deepEqual([expired.status, expired.json.action, expired.json.dropped, expired.json.cache.entries], [200, 'evict-expired', 0, 1]);
    const cleared = await call('/debug/stores/secrets/cache/clear', { method: 'POST' });
    assert.deepEqual([cleared.status, cleared.json.store, cleared.json.action, cleared.json.dropped], [200, 'secrets', 'clear', 1]);
    assert.equal(cleared.json.cache.entries, 0);

    const [again] = await controller.renderAll({ kind: 'callback', write: () => undefined });
    assert.equal(again?.content, 'cert', 'the next render fetches the body again');
    assert.equal((await call('/debug/stores/secrets/cache')).json.cache.fetches, 2);
  });

  test('refuse stores without a cache, unknown stores and actions, and the wrong method', async () => {
    const { call } = await setup();
    const full = await call('/debug/stores/services/cache/clear', { method: 'POST' });
    assert.deepEqual([full.status, full.json.error], [404, 'store "services" keeps whole objects (store: full): it has no cache']);
    const unknown = await call('/debug/stores/nope/cache/clear', { method: 'POST' });
    assert.deepEqual([unknown.status, unknown.json.error], [404, 'no store named "nope"; stores: secrets, services']);
    assert.equal((await call('/debug/stores/secrets/cache/flush', { method: 'POST' })).status, 404);
    const get = await call('/debug/stores/secrets/cache/clear');
    assert.deepEqual([get.status, get.allow], [405, 'POST']);
    const readOnly = await call('/debug/config', { method: 'POST' });
    assert.deepEqual([readOnly.status, readOnly.allow], [405, 'GET, HEAD']);
    const stats = await call('/debug/stores/secrets/cache', { method: 'POST' });
    assert.deepEqual([stats.status, stats.allow], [405, 'GET, HEAD']);
    const probe = await call('/readyz', { method: 'POST' });
    assert.deepEqual([probe.status, probe.allow], [405, 'GET, HEAD']);
  });

  test('a POST from a page of another origin is refused; one from the same origin is not', async () => {
    const { call } = await setup();
    const foreign = await call('/debug/stores/secrets/cache/clear', { method: 'POST', headers: { Origin: 'https://evil.example' } });
    assert.deepEqual([foreign.status, foreign.json.error], [403, 'cross-origin POST refused (the Origin header names another host)']);
    const local = await call('/debug/stores/secrets/cache/clear', { method: 'POST' });
    assert.equal(local.status, 200);
  });

  test('are off with the other debug endpoints (server.debug: false)', async () => {
    const { call } = await setup(false);
    for (const init of [undefined, { method: 'POST' }]) {
      const answer = await call('/debug/stores/secrets/cache/clear', init);
      assert.equal(answer.status, 404);
      assert.match(answer.json.error, /turned off/);
    }
  });
});
