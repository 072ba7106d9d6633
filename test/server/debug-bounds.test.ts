/**
 * /debug/stores answers are bounded whatever a caller asks (limit, bytes, values of a
 * JSONPath), and probes keep answering while several heavy queries run.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/index.ts';
import { Controller } from '../../src/controller/controller.ts';
import { HealthCheck } from '../../src/controller/health.ts';
import { controllerBackend } from '../../src/daemon/server-backend.ts';
import type { KubeObject } from '../../src/k8s.ts';
import { silentLogger } from '../../src/log.ts';
import { StatusServer } from '../../src/server/index.ts';
import { DEFAULTS } from '../../src/server/debug.ts';
import { ScriptedSource } from '../controller/support/scripted-source.ts';
import { FakeClock } from '../support/fake-clock.ts';

/** A ConfigMap of about 6 KB, nested a few levels deep (so `..` has work to do). */
function configMap(i: number): KubeObject {
  const data: Record<string, unknown> = {};
  for (let k = 0; k < 20; k++) data[`key-${k}`] = { nested: { deeper: { text: `${'x'.repeat(200)}-${i}-${k}` } } };
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: `ns-${i % 7}`, name: `cm-${i}`, uid: `u-${i}`, resourceVersion: '1' }, data };
}

describe('/debug/stores under load', () => {
  let dir: string;
  let server: StatusServer;
  let controller: Controller;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'informant-debug-bounds-'));
    const yaml = `
watched_resources:
  configmaps: {api_version: v1, kind: ConfigMap}
source: {files: {path: manifests}}
server: {listen: "127.0.0.1:0", debug: true, debug_listen: "127.0.0.1:0"}
`;
    const config = parseConfig(yaml, join(dir, 'config.yaml'));
    const clock = new FakeClock();
    const source = new ScriptedSource({ configmaps: Array.from({ length: 3_000 }, (_, i) => configMap(i)) });
    controller = new Controller({ config, logger: silentLogger(), watch: true, clock, createSource: () => source });
    await controller.start();
    const backend = controllerBackend(controller, { health: new HealthCheck({ clock }), election: () => undefined });
    server = await StatusServer.start({ listen: config.server.listen!, backend, logger: silentLogger() });
  });
  after(async () => {
    await server.close();
    await controller.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const get = async (path: string) => {
    const response = await fetch(`${server.url}${path}`);
    const text = await response.text();
    return { status: response.status, text, json: response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : undefined };
  };

  test('refuses a limit above the cap and an over-long JSONPath', async () => {
    const big = await get(`/debug/stores/configmaps?limit=${DEFAULTS.maxLimit + 1}`);
    assert.equal(big.status, 400);
    assert.match(big.json.error, /^limit must be a whole number from 1 to 1000/);
    const long = await get(`/debug/stores/configmaps?jsonpath=${'a.'.repeat(600)}b`);
    assert.equal(long.status, 400);
    assert.match(long.json.error, /^jsonpath: longer than 1024 characters/);
  });

  test('ends an answer at the byte cap, and a recursive JSONPath at the value cap, saying which bound cut it', async () => {
    const all = await get(`/debug/stores/configmaps?limit=${DEFAULTS.maxLimit}`);
    assert.equal(all.status, 200);
    assert.equal(all.json.count, 3_000);
    assert.equal(all.json.shown, all.json.objects.length);
    assert.deepEqual([all.json.truncated, all.json.truncatedBy], [true, 'limit']);
    const recursive = await get(`/debug/stores/configmaps?limit=${DEFAULTS.maxLimit}&jsonpath=${encodeURIComponent('$..*')}`);
    assert.equal(recursive.status, 200);
    assert.equal(recursive.json.truncated, true);
    assert.ok(['values', 'bytes'].includes(recursive.json.truncatedBy), recursive.json.truncatedBy);
    const values = recursive.json.results.reduce((n: number, r: { values: unknown[] }) => n + r.values.length, 0);
    assert.ok(values <= DEFAULTS.maxJsonPathValues, `${values} values`);
    assert.ok(Buffer.byteLength(recursive.text) <= DEFAULTS.maxAnswerBytes, `${Buffer.byteLength(recursive.text)} bytes`);
  });

  test('/healthz answers while twenty heavy queries run in parallel, and every query gets a complete answer', async () => {
    const path = `/debug/stores/configmaps?limit=${DEFAULTS.maxLimit}&jsonpath=${encodeURIComponent('$..*')}`;
    const heavy = Array.from({ length: 20 }, () => get(path));
    // Only a hang fails this: the probe has all the time a kubelet would never give it.
    const probe = await Promise.race([
      get('/healthz'),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('/healthz did not answer within 60 s')), 60_000).unref()),
    ]);
    assert.equal(probe.status, 200);
    const answers = await Promise.all(heavy);
    for (const answer of answers) {
      assert.ok(answer.status === 200 || answer.status === 429, String(answer.status));
      if (answer.status === 200) assert.equal(answer.json.truncated, true, 'complete JSON, cut at a bound');
    }
  });
});
