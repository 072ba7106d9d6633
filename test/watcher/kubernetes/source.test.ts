import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../../src/log.ts';
import { WatchError } from '../../../src/watcher/index.ts';
import { KubernetesSource } from '../../../src/watcher/kubernetes/source.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { settle, watched } from './support/drive.ts';
import { FakeApiClient, FakeStream, discoveryReply } from './support/fake-client.ts';
import { configMapList } from './support/harness.ts';
import { RecordingSink } from './support/recording-sink.ts';

const config = { pageSize: 500, streamingList: false };

describe('KubernetesSource', () => {
  test('reject start with a WatchError naming a watched resource that has no sink', async () => {
    const source = new KubernetesSource({ config, resources: [watched({ name: 'cms' })], logger: silentLogger(), client: new FakeApiClient(() => ({})) });
    await assert.rejects(source.start(new Map()), (err: unknown) => err instanceof WatchError && err.resource === 'cms' && /no sink for watched resource cms/.test(err.message));
  });

  test('reject start with a WatchError when the kubeconfig cannot be loaded', async () => {
    const source = new KubernetesSource({ config: { ...config, kubeconfig: '/nonexistent/kubeconfig' }, resources: [], logger: silentLogger() });
    await assert.rejects(source.start(new Map()), (err: unknown) => err instanceof WatchError && /cannot load kubeconfig \/nonexistent\/kubeconfig/.test(err.message));
  });

  test('reject tuning values that cannot work, naming the knob', () => {
    assert.throws(
      () => new KubernetesSource({ config, resources: [], logger: silentLogger(), tuning: { backoffCapMs: -1 } }),
      (err: unknown) => err instanceof WatchError && /tuning\.backoffCapMs must be a non-negative number/.test(err.message),
    );
  });

  test('use config.pageSize as the list limit', async () => {
    const client = new FakeApiClient((path, query) => discoveryReply(path) ?? (query.get('watch') ? { stream: new FakeStream() } : configMapList('1', [])));
    const source = new KubernetesSource({ config: { ...config, pageSize: 7 }, resources: [watched({ name: 'cms' })], logger: silentLogger(), client, clock: new FakeClock() });
    await source.start(new Map([['cms', new RecordingSink()]]));
    await settle();
    assert.equal(client.lists()[0]?.query.get('limit'), '7');
    await source.stop();
  });

  test('run one reflector per resource and report status and stats for each, then stop them all', async () => {
    const clock = new FakeClock();
    const client = new FakeApiClient((path, query) => {
      if (discoveryReply(path)) return discoveryReply(path)!;
      if (path.includes('namespaces') && !path.includes('configmaps')) return { status: 403, json: { kind: 'Status', code: 403, reason: 'Forbidden' } };
      return query.get('watch') ? { stream: new FakeStream() } : configMapList('1', [{ name: 'a', rv: '1' }]);
    });
    const sinks = new Map([['cms', new RecordingSink()], ['nss', new RecordingSink()]]);
    const source = new KubernetesSource({
      config,
      resources: [watched({ name: 'cms' }), watched({ name: 'nss', kind: 'Namespace' })],
      logger: silentLogger(),
      client,
      clock,
    });
    await source.start(sinks);
    await settle();
    const [cms, nss] = source.status();
    assert.deepEqual(cms, { resource: 'cms', synced: true });
    assert.equal(nss?.synced, false);
    assert.match(nss?.lastProblem?.message ?? '', /^forbidden: cannot list namespaces; grant list,watch/);
    assert.deepEqual(source.stats().map((s) => [s.resource, s.objects, s.watching]), [['cms', 1, true], ['nss', 0, false]]);
    await source.stop();
    assert.equal(client.open, 0);
    assert.equal(clock.pending, 0);
    assert.deepEqual(source.status(), []);
    assert.equal(client.closed, false, 'a client handed in is left to its owner');
  });
});
