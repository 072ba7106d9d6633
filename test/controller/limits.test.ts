/**
 * The limits on what sources deliver, end to end with a Kubernetes source over the test
 * API server: an object too large or nested too deep (in a list, in a watch event, in a
 * fetch) is refused with an error naming it, is absent from the store, and the rest goes on.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/index.ts';
import { Controller } from '../../src/controller/controller.ts';
import type { KubeObject } from '../../src/k8s.ts';
import { silentLogger } from '../../src/log.ts';
import { TestApiServer } from '../support/apiserver/index.ts';
import { eventually } from '../support/waiters.ts';
import { writeKubeconfig } from '../kube/support/kubeconfig-file.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function configMap(name: string, data: unknown): KubeObject {
  return { metadata: { namespace: 'shop', name }, data } as KubeObject;
}

function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

describe('limits on a Kubernetes source', () => {
  test('refuses objects over max_object_size or max_depth in lists, watch events and fetches, and keeps the others', async () => {
    const api = await TestApiServer.start({ token: 't' });
    const dir = await mkdtemp(join(tmpdir(), 'informant-limits-'));
    dirs.push(dir);
    const kubeconfig = writeKubeconfig(dir, api.url, { token: 't' });
    api.create('configmaps', configMap('small', { k: 'v' }));
    api.create('configmaps', configMap('big', { k: 'x'.repeat(20_000) }));
    api.create('configmaps', configMap('deep', { k: nested(40) }));
    api.create('secrets', { metadata: { namespace: 'shop', name: 'huge' }, data: { k: 'x'.repeat(20_000) } } as KubeObject);
    const config = parseConfig(
      `
watched_resources:
  configmaps: {api_version: v1, kind: ConfigMap}
  secrets: {api_version: v1, kind: Secret, store: on-demand}
source: {kubernetes: {kubeconfig: ${kubeconfig}}}
templates:
  t: {inline: "{% for c in resources.configmaps %}{{ c.metadata.name }} {% endfor %}", output: out/t.txt}
  s: {inline: "{{ resources.secrets.Fetch('shop', 'huge') | length }}", output: out/s.txt}
limits: {max_object_size: 10Ki, max_depth: 32}
`,
      join(dir, 'config.yaml'),
    );
    const controller = new Controller({ config, logger: silentLogger(), watch: true });
    try {
      await controller.start();
      await controller.waitForSync();
      const names = () => controller.stores.get('configmaps')!.list().map((o) => o.metadata.name);
      assert.deepEqual(names(), ['small']);
      assert.deepEqual(controller.problems.map((p) => p.message), [
        'watched resource configmaps: ConfigMap shop/big refused: larger than limits.max_object_size (10 KiB) as JSON; it is left out',
        'watched resource configmaps: ConfigMap shop/deep refused: nested deeper than limits.max_depth (32 levels); it is left out',
      ]);
      api.update('configmaps', configMap('small', { k: 'y'.repeat(20_000) }));
      api.create('configmaps', configMap('later', { k: 'v' }));
      await eventually(() => names().join() === 'later', 'a watch event over the limit removes the object, others arrive');
      const [, fetched] = await controller.renderAll({ kind: 'callback', write: () => undefined });
      assert.equal(fetched?.status, 'failed');
      assert.match(fetched?.error?.message ?? '', /fetch secrets shop\/huge: refused: larger than limits\.max_object_size/);
    } finally {
      await controller.stop();
      await api.close();
    }
  });
});
