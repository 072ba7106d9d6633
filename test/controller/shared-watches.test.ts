/**
 * One list/watch per kind through the controller: two watched resources of the same
 * kind, namespace and selectors make the test API server see one LIST and one WATCH, each
 * resource with a store of its own; reloading or dropping one of them leaves the other's
 * store as it was.
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
import { FakeClock } from '../support/fake-clock.ts';
import { writeKubeconfig } from '../kube/support/kubeconfig-file.ts';
import { eventually } from '../support/waiters.ts';

const TOKEN = 'shared-controller-token';
const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function secret(name: string, type: string): KubeObject {
  return { metadata: { namespace: 'shop', name }, type, data: { 'tls.crt': 'Y2VydA==' } };
}

/** The config with `secrets` (stripped of data) and, unless left out, `tls_secrets` indexed by `tlsIndexBy`. */
function configText(kubeconfig: string, tlsIndexBy: string | undefined): string {
  return [
    'watched_resources:',
    '  secrets: {api_version: v1, kind: Secret, remove_fields: [data]}',
    ...(tlsIndexBy === undefined ? [] : [`  tls_secrets: {api_version: v1, kind: Secret, index_by: ${tlsIndexBy}}`]),
    `source: {kubernetes: {kubeconfig: ${JSON.stringify(kubeconfig)}, streaming_list: false}}`,
    'templates:',
    '  site: {inline: "{{ resources.secrets | length }}", output: out/site.txt}',
    '',
  ].join('\n');
}

describe('one list/watch per kind through the controller', () => {
  test('two resources share one LIST and WATCH; reloading or dropping one leaves the other\'s store untouched', async () => {
    const server = await TestApiServer.start({ token: TOKEN });
    const dir = await mkdtemp(join(tmpdir(), 'informant-shared-'));
    dirs.push(dir);
    const kubeconfig = writeKubeconfig(dir, server.url, { token: TOKEN });
    server.create('secrets', secret('web-tls', 'kubernetes.io/tls'));
    server.create('secrets', secret('db', 'Opaque'));
    const file = join(dir, 'config.yaml');
    let controller: Controller | undefined;
    const count = (verb: 'list' | 'watch'): number =>
      server.requests.filter((r) => r.path === '/api/v1/secrets' && (r.query.get('watch') === 'true') === (verb === 'watch')).length;
    try {
      controller = new Controller({ config: parseConfig(configText(kubeconfig, '[type]'), file), logger: silentLogger(), watch: true, clock: new FakeClock() });
      await controller.start();
      await controller.waitForSync();
      await eventually(() => server.openWatches('secrets') === 1, 'the watch is open');
      assert.deepEqual([count('list'), count('watch')], [1, 1], 'one LIST and one WATCH for both resources');
      assert.deepEqual(controller.status().resources.map((r) => [r.resource, r.sharedWith]), [['secrets', ['tls_secrets']], ['tls_secrets', ['secrets']]]);
      const secrets = controller.stores.get('secrets')!;
      assert.equal(secrets.get('shop', 'db')[0]?.data, undefined, 'secrets: data stripped');
      assert.deepEqual(controller.stores.get('tls_secrets')!.get('kubernetes.io/tls').map((o) => o.metadata.name), ['web-tls']);
      assert.ok(controller.stores.get('tls_secrets')!.get('kubernetes.io/tls')[0]?.data, 'tls_secrets: data kept');
      const held = secrets.list();
      const modCount = secrets.modCount;

      // tls_secrets is indexed differently: its unit is rebuilt and joins the running watch.
      await controller.reload(parseConfig(configText(kubeconfig, '[metadata.name]'), file));
      assert.equal(controller.stores.get('secrets'), secrets, 'the secrets store is kept');
      assert.equal(secrets.modCount, modCount, 'and not changed by the list the new member needed');
      assert.equal(secrets.list(), held);
      assert.deepEqual(controller.stores.get('tls_secrets')!.get('db').map((o) => o.metadata.name), ['db']);
      assert.equal(count('list'), 2, 'one LIST for the rebuilt resource');
      await eventually(() => server.openWatches('secrets') === 1, 'still one watch');

      // tls_secrets is dropped: the watch stays for secrets, with no relist.
      await controller.reload(parseConfig(configText(kubeconfig, undefined), file));
      assert.equal(controller.stores.get('secrets'), secrets);
      assert.equal(secrets.modCount, modCount);
      server.create('secrets', secret('api', 'Opaque'));
      await eventually(() => secrets.get('shop', 'api').length === 1, 'secrets still follows the watch');
      assert.equal(count('list'), 2, 'no relist');
      assert.equal(server.openWatches('secrets'), 1);
    } finally {
      await controller?.stop();
      await eventually(() => server.openWatches() === 0, 'every watch closed');
      await server.close();
    }
  });
});
