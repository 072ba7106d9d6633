/**
 * The Kubernetes source over several clusters: two test API servers, one of them served
 * kcp-style under /clusters/root:ws and reached through a `server` override of the same
 * kubeconfig. Objects with the same namespace/name in both are kept apart.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterConfig } from '../../../src/config/types.ts';
import { silentLogger } from '../../../src/log.ts';
import { KubernetesSource } from '../../../src/watcher/kubernetes/source.ts';
import { TestApiServer } from '../../support/apiserver/index.ts';
import { eventually } from '../../support/waiters.ts';
import { cm, FAST, RESOURCES } from './support/cluster.ts';
import { watched } from './support/drive.ts';
import { tempDir, writeKubeconfig } from '../../kube/support/kubeconfig-file.ts';
import { RecordingSink } from './support/recording-sink.ts';

const TOKEN = 'test-token';

/** The data of one object the sink holds ({} when absent). */
function dataOf(sink: RecordingSink, id: string): Record<string, string | undefined> {
  return (sink.objects.get(id)?.data ?? {}) as Record<string, string | undefined>;
}

/** Servers "eu" (plain) and "root:ws" (under /clusters/root:ws), one kubeconfig pointing at "eu", and a source over both. */
async function startTwoClusters(resources = ['configmaps']) {
  const eu = await TestApiServer.start({ token: TOKEN });
  const ws = await TestApiServer.start({ token: TOKEN, pathPrefix: '/clusters/root:ws' });
  const { dir, cleanup } = tempDir();
  const kubeconfig = writeKubeconfig(dir, eu.url, { token: TOKEN });
  const clusters: ClusterConfig[] = [{ name: 'eu' }, { name: 'root:ws', server: ws.url }];
  const watchedResources = resources.map((name) => watched({ ...RESOURCES[name], name }));
  const source = new KubernetesSource({
    config: { kubeconfig, clusters, pageSize: 500, streamingList: false },
    resources: watchedResources,
    logger: silentLogger(),
    tuning: FAST,
  });
  const sinks = new Map(resources.map((name) => [name, new RecordingSink()]));
  return {
    eu,
    ws,
    source,
    sinks,
    sink: (name = 'configmaps') => sinks.get(name)!,
    start: () => source.start(sinks),
    close: async () => {
      try {
        await source.stop();
        await eventually(() => eu.openWatches() === 0 && ws.openWatches() === 0, 'every watch closed');
      } finally {
        await eu.close();
        await ws.close();
        cleanup();
      }
    },
  };
}

describe('KubernetesSource over several clusters', () => {
  test('keeps objects with the same namespace/name in two clusters apart, each stamped with its cluster', async () => {
    const c = await startTwoClusters();
    try {
      c.eu.create('configmaps', cm('web', { from: 'eu' }));
      c.ws.create('configmaps', cm('web', { from: 'ws' }));
      c.ws.create('configmaps', cm('only-ws'));
      await c.start();
      await eventually(() => c.sink().syncedCount === 1, 'synced in both clusters');
      assert.deepEqual([...c.sink().objects.keys()].sort(), ['eu|default/web', 'root:ws|default/only-ws', 'root:ws|default/web']);
      assert.deepEqual(c.sink().objects.get('eu|default/web')?.data, { from: 'eu' });
      assert.deepEqual(c.sink().objects.get('root:ws|default/web')?.data, { from: 'ws' });
      assert.equal(c.sink().objects.get('root:ws|default/web')?.metadata.cluster, 'root:ws');
      const wsPaths = c.ws.requests.map((r) => r.path);
      assert.ok(wsPaths.includes('/clusters/root:ws/api/v1/configmaps'), wsPaths.join(' '));
      assert.ok(c.ws.requests.every((r) => r.path.startsWith('/clusters/root:ws/')));
      const status = c.source.status();
      assert.deepEqual(status, [{ resource: 'configmaps', synced: true, clusters: [{ cluster: 'eu', synced: true }, { cluster: 'root:ws', synced: true }] }]);
      assert.deepEqual(c.source.stats().map((s) => s.cluster), ['eu', 'root:ws']);
    } finally {
      await c.close();
    }
  });

  test('updates and deletes in one cluster leave the other alone, and so does a relist after a 410', async () => {
    const c = await startTwoClusters();
    try {
      c.eu.create('configmaps', cm('web', { v: 'eu1' }));
      c.ws.create('configmaps', cm('web', { v: 'ws1' }));
      c.ws.create('configmaps', cm('gone'));
      await c.start();
      await eventually(() => c.sink().syncedCount === 1, 'synced');
      c.eu.update('configmaps', cm('web', { v: 'eu2' }));
      await eventually(() => dataOf(c.sink(), 'eu|default/web').v === 'eu2', 'eu update seen');
      assert.deepEqual(c.sink().objects.get('root:ws|default/web')?.data, { v: 'ws1' });
      c.eu.delete('configmaps', 'default', 'web');
      await eventually(() => !c.sink().objects.has('eu|default/web'), 'eu delete seen');
      assert.ok(c.sink().objects.has('root:ws|default/web'));
      // A relist of root:ws (history compacted, watch expired) must not touch eu's objects.
      c.eu.create('configmaps', cm('web', { v: 'eu3' }));
      await eventually(() => dataOf(c.sink(), 'eu|default/web').v === 'eu3', 'eu re-created');
      c.ws.faults.closeNewWatches(true);
      c.ws.faults.dropWatches();
      c.ws.delete('configmaps', 'default', 'gone');
      c.ws.update('configmaps', cm('web', { v: 'ws2' }));
      c.ws.faults.compact();
      c.ws.faults.closeNewWatches(false);
      await eventually(() => !c.sink().objects.has('root:ws|default/gone') && dataOf(c.sink(), 'root:ws|default/web').v === 'ws2', 'ws relisted');
      assert.deepEqual([...c.sink().objects.keys()].sort(), ['eu|default/web', 'root:ws|default/web']);
      assert.deepEqual(c.sink().objects.get('eu|default/web')?.data, { v: 'eu3' });
      assert.ok(c.sink().calls.every((call) => call.op !== 'replace'), 'several clusters never replace the shared sink');
      assert.ok(c.source.stats().find((s) => s.cluster === 'root:ws')!.relists >= 1, 'root:ws relisted');
      assert.equal(c.source.stats().find((s) => s.cluster === 'eu')!.relists, 0);
    } finally {
      await c.close();
    }
  });

  test('a 403 in one cluster is reported naming the cluster, and the resource syncs only once it is fixed', async () => {
    const c = await startTwoClusters();
    try {
      c.ws.faults.permanentStatus(403, { resource: 'configmaps', verb: 'list' });
      await c.start();
      await eventually(() => c.source.status()[0]?.lastProblem !== undefined, 'problem reported');
      const [status] = c.source.status();
      assert.equal(status?.synced, false);
      assert.equal(status?.lastProblem?.status, 403);
      assert.match(status!.lastProblem!.message, /^cluster "root:ws": forbidden: cannot list configmaps in all namespaces/);
      assert.equal(status?.clusters?.find((s) => s.cluster === 'eu')?.synced, true);
      assert.equal(c.sink().syncedCount, 0);
      c.ws.faults.permanentStatus(undefined);
      await eventually(() => c.sink().syncedCount === 1, 'synced once allowed');
      assert.equal(c.source.status()[0]?.lastProblem, undefined);
    } finally {
      await c.close();
    }
  });

  test('fetch reads one object from the cluster it names, and names the cluster when it fails', async () => {
    const c = await startTwoClusters(['secrets']);
    try {
      c.eu.create('secrets', { metadata: { name: 'tls', namespace: 'web' }, data: { c: 'ZXU=' } });
      c.ws.create('secrets', { metadata: { name: 'tls', namespace: 'web' }, data: { c: 'd3M=' } });
      await c.start();
      const fromWs = await c.source.fetch('secrets', { cluster: 'root:ws', namespace: 'web', name: 'tls' });
      assert.deepEqual(fromWs?.data, { c: 'd3M=' });
      assert.equal(fromWs?.metadata.cluster, 'root:ws');
      assert.deepEqual((await c.source.fetch('secrets', { cluster: 'eu', namespace: 'web', name: 'tls' }))?.data, { c: 'ZXU=' });
      await assert.rejects(c.source.fetch('secrets', { cluster: 'us', namespace: 'web', name: 'tls' }), /fetch secrets us\|web\/tls: cluster "us" is not watched/);
      c.eu.faults.permanentStatus(403, { resource: 'secrets', verb: 'get' });
      await assert.rejects(c.source.fetch('secrets', { cluster: 'eu', namespace: 'web', name: 'tls' }), /^WatchError: cluster "eu": forbidden/);
    } finally {
      await c.close();
    }
  });
});
