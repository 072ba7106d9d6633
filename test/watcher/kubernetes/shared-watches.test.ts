/**
 * Shared watches against a test API server: watched resources of the same kind, scope and
 * selectors read one LIST and one WATCH, in one source or across sources built with the
 * same SharedWatches; members join and leave without disturbing each other.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { WatchedResourceConfig } from '../../../src/config/types.ts';
import type { KubeObject } from '../../../src/k8s.ts';
import { createApiClient, type ApiClient } from '../../../src/kube/index.ts';
import { silentLogger } from '../../../src/log.ts';
import { KubernetesSource, SharedWatches } from '../../../src/watcher/kubernetes/index.ts';
import { TestApiServer, type RequestRecord } from '../../support/apiserver/index.ts';
import { tempDir, writeKubeconfig } from '../../kube/support/kubeconfig-file.ts';
import { eventually } from '../../support/waiters.ts';
import { FAST } from './support/cluster.ts';
import { watched } from './support/drive.ts';
import { RecordingSink } from './support/recording-sink.ts';

const TOKEN = 'shared-token';

function secret(name: string, type = 'Opaque'): KubeObject {
  return { metadata: { namespace: 'shop', name }, type, data: { key: 'dmFsdWU=' } };
}

const SECRETS = { apiVersion: 'v1', kind: 'Secret' } as const;

/** A server with two Secrets, and a way to build sources over one SharedWatches. */
async function setup() {
  const server = await TestApiServer.start({ token: TOKEN });
  server.create('secrets', secret('web-tls', 'kubernetes.io/tls'));
  server.create('secrets', secret('db'));
  const { dir, cleanup } = tempDir();
  const kubeconfig = writeKubeconfig(dir, server.url, { token: TOKEN });
  const client: ApiClient = createApiClient({ kubeconfig });
  const watches = new SharedWatches();
  const sources: KubernetesSource[] = [];
  const source = (resources: WatchedResourceConfig[], metadataOnly: string[] = []) => {
    const built = new KubernetesSource({
      config: { kubeconfig, pageSize: 500, streamingList: false },
      resources,
      logger: silentLogger(),
      client,
      tuning: FAST,
      watches,
      metadataOnly,
    });
    sources.push(built);
    return built;
  };
  const requests = (verb: 'list' | 'watch'): RequestRecord[] =>
    server.requests.filter((r) => r.path === '/api/v1/secrets' && (r.query.get('watch') === 'true') === (verb === 'watch'));
  const close = async () => {
    try {
      for (const built of sources) await built.stop();
      client.close();
      await eventually(() => server.openWatches() === 0, 'every watch closed');
    } finally {
      await server.close();
      cleanup();
    }
  };
  return { server, watches, source, requests, close };
}

describe('shared watches', () => {
  test('two watched resources of the same kind, namespace and selectors read one LIST and one WATCH', async () => {
    const t = await setup();
    try {
      const resources = [watched({ name: 'secrets', ...SECRETS }), watched({ name: 'tls-secrets', ...SECRETS, indexBy: ['type'] })];
      const source = t.source(resources);
      const sinks = new Map(resources.map((r) => [r.name, new RecordingSink()]));
      await source.start(sinks);
      await eventually(() => [...sinks.values()].every((s) => s.syncedCount === 1), 'both synced');
      await eventually(() => t.server.openWatches('secrets') === 1, 'the watch is open');
      assert.deepEqual([t.requests('list').length, t.requests('watch').length], [1, 1]);
      assert.equal(t.watches.watchCount, 1);
      for (const sink of sinks.values()) assert.deepEqual([...sink.objects.keys()].sort(), ['shop/db', 'shop/web-tls']);
      t.server.create('secrets', secret('new'));
      await eventually(() => [...sinks.values()].every((s) => s.objects.has('shop/new')), 'both got the new Secret');
      assert.deepEqual(source.status(), [
        { resource: 'secrets', synced: true, sharedWith: ['tls-secrets'] },
        { resource: 'tls-secrets', synced: true, sharedWith: ['secrets'] },
      ]);
      assert.deepEqual(source.stats().map((s) => [s.resource, s.lists]), [['secrets', 1], ['tls-secrets', 1]]);
    } finally {
      await t.close();
    }
  });

  test('different selectors or namespaces are different watches', async () => {
    const t = await setup();
    try {
      const resources = [
        watched({ name: 'all', ...SECRETS }),
        watched({ name: 'tls', ...SECRETS, fieldSelector: 'type=kubernetes.io/tls' }),
        watched({ name: 'shop', ...SECRETS, namespace: 'shop' }),
      ];
      const sinks = new Map(resources.map((r) => [r.name, new RecordingSink()]));
      await t.source(resources).start(sinks);
      await eventually(() => [...sinks.values()].every((s) => s.syncedCount === 1), 'all synced');
      assert.equal(t.watches.watchCount, 3);
      assert.deepEqual([...sinks.get('tls')!.objects.keys()], ['shop/web-tls']);
    } finally {
      await t.close();
    }
  });

  test('a source joining a running watch gets a list of its own; the first member sees no change', async () => {
    const t = await setup();
    try {
      const first = new RecordingSink();
      const one = t.source([watched({ name: 'secrets', ...SECRETS })]);
      await one.start(new Map([['secrets', first]]));
      await eventually(() => first.syncedCount === 1, 'first synced');
      const changesBefore = first.changes.length;
      const late = new RecordingSink();
      const two = t.source([watched({ name: 'tls-secrets', ...SECRETS })]);
      await two.start(new Map([['tls-secrets', late]]));
      await eventually(() => late.syncedCount === 1, 'the late member synced');
      assert.deepEqual([...late.objects.keys()].sort(), ['shop/db', 'shop/web-tls']);
      assert.equal(first.syncedCount, 1);
      assert.deepEqual(first.changes.slice(changesBefore), [], 'the relist changed nothing for the first member');
      assert.equal(t.requests('list').length, 2, 'one LIST for the joining member');
      assert.deepEqual(Object.entries(one.stats()[0]?.errors ?? {}).filter(([, n]) => n > 0), [], 'cutting the watch for the list is not an error');
      assert.equal(one.stats()[0]?.relists, 1);
      await eventually(() => t.server.openWatches('secrets') === 1, 'one watch open again');
      assert.equal(t.watches.watchCount, 1);
    } finally {
      await t.close();
    }
  });

  test('stopping one member leaves the others watching, without a relist; the last one stops the watch', async () => {
    const t = await setup();
    try {
      const [a, b] = [new RecordingSink(), new RecordingSink()];
      const one = t.source([watched({ name: 'secrets', ...SECRETS })]);
      const two = t.source([watched({ name: 'tls-secrets', ...SECRETS })]);
      await one.start(new Map([['secrets', a]]));
      await two.start(new Map([['tls-secrets', b]]));
      await eventually(() => a.syncedCount === 1 && b.syncedCount === 1, 'both synced');
      const lists = t.requests('list').length;
      await one.stop();
      t.server.create('secrets', secret('after'));
      await eventually(() => b.objects.has('shop/after'), 'the remaining member still gets events');
      assert.equal(a.objects.has('shop/after'), false, 'the stopped member hears nothing');
      assert.equal(t.requests('list').length, lists, 'no relist');
      assert.equal(t.server.openWatches('secrets'), 1);
      assert.deepEqual(two.status(), [{ resource: 'tls-secrets', synced: true }]);
      await two.stop();
      await eventually(() => t.server.openWatches('secrets') === 0, 'the last member stopped the watch');
      assert.equal(t.watches.watchCount, 0);
    } finally {
      await t.close();
    }
  });

  test('a metadata-only member shares a full watch, and the watch is back to metadata only when the full member leaves', async () => {
    const t = await setup();
    try {
      const [meta, full] = [new RecordingSink(), new RecordingSink()];
      const onDemand = t.source([watched({ name: 'refs', ...SECRETS, store: 'on-demand' })], ['refs']);
      await onDemand.start(new Map([['refs', meta]]));
      await eventually(() => meta.syncedCount === 1, 'metadata-only member synced');
      assert.equal(meta.objects.get('shop/db')?.data, undefined, 'metadata only');
      const whole = t.source([watched({ name: 'secrets', ...SECRETS })]);
      await whole.start(new Map([['secrets', full]]));
      await eventually(() => full.syncedCount === 1, 'full member synced');
      assert.deepEqual(full.objects.get('shop/db')?.data, { key: 'dmFsdWU=' }, 'the full member gets whole objects');
      assert.equal(t.watches.watchCount, 1);
      const accept = (r: RequestRecord): string => String(r.headers.accept);
      const at = (r: RequestRecord | undefined): number => (r === undefined ? -1 : t.server.requests.indexOf(r));
      await eventually(() => at(t.requests('watch').at(-1)) > at(t.requests('list').at(-1)), 'watching again after the full list');
      assert.match(accept(t.requests('watch').at(-1)!), /^application\/json$/, 'the shared watch streams full objects');
      const lists = t.requests('list').length;
      await whole.stop();
      await eventually(() => t.requests('list').length === lists + 1, 'listed again as metadata only');
      assert.match(accept(t.requests('list').at(-1)!), /as=PartialObjectMetadataList/);
      assert.equal(meta.syncedCount, 1);
    } finally {
      await t.close();
    }
  });
});
