/**
 * The controller over a kcp wildcard watch: 1,000 workspaces of 10 ConfigMaps each reach
 * the store through one LIST and one WATCH, templates group them with Clusters() and
 * InCluster() and look one up by cluster, and workspaces that appear or are deleted show
 * in the next render.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/index.ts';
import { Controller } from '../../src/controller/controller.ts';
import { silentLogger } from '../../src/log.ts';
import { TestApiServer } from '../support/apiserver/index.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { writeKubeconfig } from '../kube/support/kubeconfig-file.ts';
import { eventually } from '../support/waiters.ts';

const TOKEN = 'kcp-controller-token';
const WORKSPACES = 1_000;
const PER_WORKSPACE = 10;
const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const workspace = (i: number): string => `ws-${String(i).padStart(4, '0')}`;

function fill(server: TestApiServer, ws: string): void {
  for (let j = 0; j < PER_WORKSPACE; j++) {
    server.create('configmaps', { metadata: { namespace: 'shop', name: `cm-${j}` }, data: { workspace: ws, n: String(j) } }, { cluster: ws });
  }
}

const TEMPLATE = [
  '{% for c in resources.cms.Clusters() %}',
  '{{ c }} {{ resources.cms.InCluster(c) | length }} {{ resources.cms.InCluster(c).GetSingle(c, "shop", "cm-7").data.n }}',
  '{% endfor %}',
  'total {{ resources.cms | length }} clusters {{ resources.cms.Clusters() | length }}',
  '',
].join('\n');

describe('kcp wildcard watch through the controller', () => {
  test('1,000 workspaces × 10 objects through one watch; Clusters() and InCluster() in templates; workspaces appear and go', { timeout: 120_000 }, async () => {
    const server = await TestApiServer.start({ token: TOKEN, logicalClusters: true });
    const dir = await mkdtemp(join(tmpdir(), 'informant-kcp-'));
    dirs.push(dir);
    for (let i = 0; i < WORKSPACES; i++) fill(server, workspace(i));
    const kubeconfig = writeKubeconfig(dir, `${server.url}/clusters/root`, { token: TOKEN });
    const config = parseConfig(
      [
        'watched_resources:',
        '  cms: {api_version: v1, kind: ConfigMap, index_by: [metadata.cluster, metadata.namespace, metadata.name]}',
        `source: {kubernetes: {kubeconfig: ${JSON.stringify(kubeconfig)}, kcp: {}, streaming_list: false}}`,
        'templates:',
        '  workspaces:',
        '    inline: |',
        ...TEMPLATE.split('\n').map((line) => `      ${line}`),
        '    output: out/workspaces.txt',
        'render: {debounce: 100ms, max_wait: 1s}',
        '',
      ].join('\n'),
      join(dir, 'config.yaml'),
    );
    const clock = new FakeClock();
    const controller = new Controller({ config, logger: silentLogger(), watch: true, clock });
    const output = join(dir, 'out', 'workspaces.txt');
    const render = async (): Promise<string[]> => {
      clock.advance(1_000);
      await controller.idle();
      return (await readFile(output, 'utf8')).trimEnd().split('\n');
    };
    // A LIST is its first page: the others (continue) read on from the same snapshot.
    const count = (verb: 'list' | 'watch'): number =>
      server.requests.filter(
        (r) => r.path === '/clusters/*/api/v1/configmaps' && (r.query.get('watch') === 'true') === (verb === 'watch') && !r.query.has('continue'),
      ).length;
    try {
      await controller.start();
      await controller.waitForSync();
      assert.equal(controller.stores.get('cms')!.size(), WORKSPACES * PER_WORKSPACE);
      let lines = await render();
      assert.equal(lines.length, WORKSPACES + 1);
      assert.equal(lines[0], 'ws-0000 10 7');
      assert.equal(lines[WORKSPACES - 1], 'ws-0999 10 7');
      assert.equal(lines.at(-1), `total ${WORKSPACES * PER_WORKSPACE} clusters ${WORKSPACES}`);
      await eventually(() => server.openWatches() === 1, 'the watch is open');
      assert.deepEqual([count('list'), count('watch')], [1, 1], 'one LIST and one WATCH for every workspace');

      fill(server, 'ws-new');
      await eventually(() => controller.stores.get('cms')!.get('ws-new').length === PER_WORKSPACE, 'the new workspace arrived');
      lines = await render();
      assert.ok(lines.includes('ws-new 10 7'));
      assert.equal(lines.at(-1), `total ${(WORKSPACES + 1) * PER_WORKSPACE} clusters ${WORKSPACES + 1}`);

      server.deleteLogicalCluster('ws-0500');
      await eventually(() => controller.stores.get('cms')!.get('ws-0500').length === 0, 'the deleted workspace is gone');
      lines = await render();
      assert.ok(!lines.some((line) => line.startsWith('ws-0500 ')));
      assert.equal(lines.at(-1), `total ${WORKSPACES * PER_WORKSPACE} clusters ${WORKSPACES}`);
      assert.deepEqual([count('list'), count('watch')], [1, 1], 'still the one LIST and WATCH');
    } finally {
      await controller.stop();
      await eventually(() => server.openWatches() === 0, 'every watch closed');
      await server.close();
    }
  });
});
