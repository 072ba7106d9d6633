/**
 * kcp wildcard watches against a test API server serving logical clusters: one LIST and
 * one WATCH at /clusters/* for every workspace, metadata.cluster from the kcp.io/cluster
 * annotation, workspaces appearing and disappearing, single objects read from their own
 * logical cluster, and objects without the annotation left out.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/k8s.ts';
import { createLogger } from '../../../src/log.ts';
import { kcpBase } from '../../../src/watcher/kubernetes/kcp.ts';
import { KubernetesSource } from '../../../src/watcher/kubernetes/index.ts';
import { TestApiServer, type TestApiServerOptions } from '../../support/apiserver/index.ts';
import { tempDir, writeKubeconfig } from '../../kube/support/kubeconfig-file.ts';
import { eventually } from '../../support/waiters.ts';
import { FAST } from './support/cluster.ts';
import { watched } from './support/drive.ts';
import { RecordingSink } from './support/recording-sink.ts';
import { Writable } from 'node:stream';

const TOKEN = 'kcp-token';

const cm = (name: string, data: Record<string, string> = {}): KubeObject => ({ metadata: { namespace: 'ns', name }, data });

/** A kcp-style server, and a source whose kubeconfig points at `server` (default: the root workspace's URL). */
async function setup(options: { server?: TestApiServerOptions; kubeconfigPath?: (url: string) => string; metadataOnly?: string[]; streamingList?: boolean } = {}) {
  const server = await TestApiServer.start({ token: TOKEN, logicalClusters: true, ...options.server });
  const { dir, cleanup } = tempDir();
  const kubeconfig = writeKubeconfig(dir, (options.kubeconfigPath ?? ((url) => `${url}/clusters/root`))(server.url), { token: TOKEN });
  const lines: string[] = [];
  const logger = createLogger({ level: 'warn', destination: new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }) });
  const source = new KubernetesSource({
    config: { kubeconfig, kcp: {}, pageSize: 500, streamingList: options.streamingList ?? false },
    resources: [watched({ name: 'configmaps', store: options.metadataOnly ? 'on-demand' : 'full' })],
    logger,
    tuning: FAST,
    ...(options.metadataOnly ? { metadataOnly: options.metadataOnly } : {}),
  });
  const sink = new RecordingSink();
  const requests = (verb: 'list' | 'watch') =>
    server.requests.filter((r) => r.path.endsWith('/api/v1/configmaps') && (r.query.get('watch') === 'true') === (verb === 'watch'));
  return {
    server,
    source,
    sink,
    requests,
    warnings: () => lines.map((line) => JSON.parse(line) as { msg: string }),
    start: () => source.start(new Map([['configmaps', sink]])),
    close: async () => {
      try {
        await source.stop();
        await eventually(() => server.openWatches() === 0, 'every watch closed');
      } finally {
        await server.close();
        cleanup();
      }
    },
  };
}

describe('kcp wildcard watches', () => {
  test('one LIST and one WATCH at /clusters/* serve every workspace; namesakes in two workspaces are two objects', async () => {
    const t = await setup();
    try {
      t.server.create('configmaps', cm('web', { from: 'a' }), { cluster: 'ws-a' });
      t.server.create('configmaps', cm('web', { from: 'b' }), { cluster: 'ws-b' });
      await t.start();
      await eventually(() => t.sink.syncedCount === 1, 'synced');
      assert.deepEqual([...t.sink.objects.keys()].sort(), ['ws-a|ns/web', 'ws-b|ns/web']);
      assert.deepEqual(t.sink.objects.get('ws-b|ns/web')?.data, { from: 'b' });
      assert.equal(t.sink.objects.get('ws-a|ns/web')?.metadata.cluster, 'ws-a');
      await eventually(() => t.server.openWatches() === 1, 'one watch open');
      assert.deepEqual([t.requests('list').length, t.requests('watch').length], [1, 1]);
      assert.ok(t.server.requests.every((r) => r.path.startsWith('/clusters/*/')), t.server.requests.map((r) => r.path).join(' '));
      assert.deepEqual(t.source.status(), [{ resource: 'configmaps', synced: true }]);
    } finally {
      await t.close();
    }
  });

  test('a streaming list keeps namesakes of two workspaces apart too', async () => {
    const t = await setup({ streamingList: true });
    try {
      for (const ws of ['ws-a', 'ws-b', 'ws-c']) t.server.create('configmaps', cm('web', { from: ws }), { cluster: ws });
      await t.start();
      await eventually(() => t.sink.syncedCount === 1, 'synced');
      assert.deepEqual([...t.sink.objects.keys()].sort(), ['ws-a|ns/web', 'ws-b|ns/web', 'ws-c|ns/web']);
      assert.equal(t.source.stats()[0]?.objects, 3);
      assert.ok(t.server.requests.some((r) => r.query.get('sendInitialEvents') === 'true'));
    } finally {
      await t.close();
    }
  });

  test('a workspace that appears is delivered, and one that is deleted takes its objects with it', async () => {
    const t = await setup();
    try {
      t.server.create('configmaps', cm('web'), { cluster: 'ws-a' });
      await t.start();
      await eventually(() => t.sink.syncedCount === 1, 'synced');
      for (const name of ['one', 'two']) t.server.create('configmaps', cm(name), { cluster: 'ws-new' });
      await eventually(() => t.sink.objects.has('ws-new|ns/two'), 'the new workspace delivered');
      t.server.deleteLogicalCluster('ws-a');
      await eventually(() => !t.sink.objects.has('ws-a|ns/web'), 'the deleted workspace gone');
      assert.deepEqual([...t.sink.objects.keys()].sort(), ['ws-new|ns/one', 'ws-new|ns/two']);
    } finally {
      await t.close();
    }
  });

  test('a relist (410) reconciles across every workspace', async () => {
    const t = await setup({ server: { historyWindow: 2 } });
    try {
      t.server.create('configmaps', cm('web'), { cluster: 'ws-a' });
      await t.start();
      await eventually(() => t.sink.syncedCount === 1 && t.server.openWatches() === 1, 'synced and watching');
      t.server.faults.compact();
      t.server.faults.expireWatches();
      t.server.create('configmaps', cm('late'), { cluster: 'ws-b' });
      t.server.delete('configmaps', 'ns', 'web', { cluster: 'ws-a' });
      await eventually(() => t.sink.objects.has('ws-b|ns/late') && !t.sink.objects.has('ws-a|ns/web'), 'relisted');
      assert.ok(t.requests('list').length >= 2, t.server.requests.map((r) => `${r.path}?${r.query}`).join('\n'));
    } finally {
      await t.close();
    }
  });

  test('an on-demand store reads each body from its own logical cluster', async () => {
    const t = await setup({ metadataOnly: ['configmaps'] });
    try {
      t.server.create('configmaps', cm('web', { from: 'b' }), { cluster: 'ws-b' });
      await t.start();
      await eventually(() => t.sink.syncedCount === 1, 'synced');
      assert.equal(t.sink.objects.get('ws-b|ns/web')?.data, undefined, 'watched as metadata only');
      const obj = await t.source.fetch('configmaps', { cluster: 'ws-b', namespace: 'ns', name: 'web' });
      assert.deepEqual([obj?.data, obj?.metadata.cluster], [{ from: 'b' }, 'ws-b']);
      assert.ok(t.server.requests.some((r) => r.path === '/clusters/ws-b/api/v1/namespaces/ns/configmaps/web'));
      assert.equal(await t.source.fetch('configmaps', { cluster: 'ws-a', namespace: 'ns', name: 'web' }), undefined);
    } finally {
      await t.close();
    }
  });

  test('objects without a kcp.io/cluster annotation are left out and reported once', async () => {
    // A plain server under /clusters/*: it answers wildcard requests but annotates nothing.
    const t = await setup({ server: { logicalClusters: false, pathPrefix: '/clusters/*' }, kubeconfigPath: (url) => url.replace('/clusters/*', '') });
    try {
      t.server.create('configmaps', cm('anonymous'));
      await t.start();
      await eventually(() => t.sink.syncedCount === 1, 'synced');
      assert.equal(t.sink.objects.size, 0);
      t.server.update('configmaps', cm('anonymous', { v: '2' }));
      await eventually(() => t.source.stats()[0]?.events.MODIFIED === 1, 'the change was read');
      const warnings = t.warnings().filter((w) => w.msg.includes('kcp.io/cluster'));
      assert.equal(warnings.length, 1, 'reported once');
      assert.match(warnings[0]!.msg, /ns\/anonymous has no kcp\.io\/cluster annotation: left out/);
    } finally {
      await t.close();
    }
  });
});

describe('kcpBase', () => {
  const cases: Array<[string, string]> = [
    ['https://kcp.example:6443', 'https://kcp.example:6443'],
    ['https://kcp.example:6443/', 'https://kcp.example:6443'],
    ['https://kcp.example:6443/clusters/root:org:ws', 'https://kcp.example:6443'],
    ['https://kcp.example:6443/services/apiexport/root:org/my-export', 'https://kcp.example:6443/services/apiexport/root:org/my-export'],
    ['https://kcp.example:6443/services/apiexport/root:org/my-export/clusters/*', 'https://kcp.example:6443/services/apiexport/root:org/my-export'],
  ];
  for (const [server, base] of cases) {
    test(`${server} → ${base}`, () => assert.equal(kcpBase(server), base));
  }
});
