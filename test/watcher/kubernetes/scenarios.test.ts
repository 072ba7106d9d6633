/**
 * The Kubernetes watch protocol's scenarios (list and watch, bookmarks, 410 Expired and
 * relists, pagination, backoff, stalls, selectors, streaming lists, stop), each against the
 * test API server over real HTTP, each ending with the sink's state equal to the server's
 * (objects and resourceVersions).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiClient } from '../../../src/kube/index.ts';
import { eventually } from '../../support/waiters.ts';
import {
  cm, converged, requestsFor, startCluster, type Cluster,
} from './support/cluster.ts';
import { capturingLogger } from './support/harness.ts';

const CMS = '/configmaps';

/** Runs `body` against a fresh cluster and always closes it (asserting no open watches). */
async function withCluster(options: Parameters<typeof startCluster>[0], body: (c: Cluster) => Promise<void>): Promise<void> {
  const cluster = await startCluster(options);
  try {
    await body(cluster);
  } finally {
    await cluster.close();
  }
}

const stats = (c: Cluster, name = 'configmaps') => c.source.stats().find((s) => s.resource === name)!;
const synced = (c: Cluster, name = 'configmaps') => c.sink(name).syncedCount === 1;
/** Synced and a watch is open on the server (faults on open watches need one). */
const watching = (c: Cluster, name = 'configmaps') => synced(c, name) && c.server.openWatches(name) === 1;

/** Puts a resource "offline": watches fail with 503 until `online()`; open watches are dropped. */
function offline(c: Cluster): { online: () => void } {
  c.server.faults.permanentStatus(503, { resource: 'configmaps', verb: 'watch' });
  c.server.faults.dropWatches('configmaps');
  return { online: () => c.server.faults.permanentStatus(undefined, { resource: 'configmaps', verb: 'watch' }) };
}

describe('Kubernetes source scenarios', () => {
  test('1: list then watch applies ADDED, MODIFIED and DELETED to the sink', async () => {
    await withCluster({ seed: { configmaps: [cm('a'), cm('b')] } }, async (c) => {
      await eventually(() => synced(c), 'synced');
      assert.deepEqual(c.sink().ops().slice(0, 2), ['replace', 'synced']);
      c.server.create('configmaps', cm('c', { k: 'v' }));
      c.server.update('configmaps', cm('a', { k: 'changed' }));
      c.server.delete('configmaps', 'default', 'b');
      await converged(c);
      assert.deepEqual(c.sink().ops().slice(2), ['add', 'update', 'delete']);
      const s = stats(c);
      assert.deepEqual([s.events.ADDED, s.events.MODIFIED, s.events.DELETED, s.objects, s.lists], [1, 1, 1, 2, 1]);
      assert.equal(c.sink().objects.get('default/c')?.kind, 'ConfigMap');
      assert.equal(c.sink().objects.get('default/a')?.apiVersion, 'v1', 'listed objects carry apiVersion too');
    });
  });

  test('2: events split across chunks, several per chunk and blank lines decode; an invalid line relists', async () => {
    await withCluster({}, async (c) => {
      await eventually(() => watching(c), 'watching');
      c.server.faults.splitChunks(true);
      for (let i = 0; i < 50; i++) c.server.create('configmaps', cm(`split-${i}`, { text: 'ü'.repeat(i) }));
      await converged(c);
      assert.equal(stats(c).relists, 0, 'split chunks need no relist');
      c.server.faults.nextInvalidJsonLine('configmaps');
      c.server.create('configmaps', cm('after-garbage'));
      c.server.update('configmaps', cm('split-1', { text: 'new' }));
      await eventually(() => stats(c).relists === 1, 'relisted after the invalid line');
      await converged(c);
      assert.equal(stats(c).errors['invalid-line'], 1);
    });
  });

  test('3: a BOOKMARK advances the resourceVersion and the next watch starts from it', async () => {
    await withCluster({ server: { bookmarkIntervalMs: 50 }, resources: [{ name: 'configmaps' }] }, async (c) => {
      await eventually(() => synced(c), 'synced');
      const listed = stats(c).resourceVersion;
      c.server.create('secrets', { metadata: { name: 's', namespace: 'default' } }); // moves the global RV only
      await eventually(() => stats(c).resourceVersion === c.server.resourceVersion, 'a bookmark carried the new RV');
      assert.notEqual(stats(c).resourceVersion, listed);
      assert.ok(stats(c).events.BOOKMARK > 0);
      const bookmarked = stats(c).resourceVersion;
      c.server.faults.closeWatches('configmaps');
      await eventually(() => requestsFor(c.server, CMS).watches.length === 2, 'a second watch');
      assert.equal(requestsFor(c.server, CMS).watches[1]!.get('resourceVersion'), bookmarked);
      await converged(c);
    });
  });

  test('4: a clean close by the server resumes from the last resourceVersion without relisting', async () => {
    await withCluster({ seed: { configmaps: [cm('a')] } }, async (c) => {
      await eventually(() => watching(c), 'watching');
      c.server.create('configmaps', cm('b'));
      await eventually(() => c.sink().objects.has('default/b'), 'b arrived');
      const rv = stats(c).resourceVersion;
      c.server.faults.closeWatches('configmaps');
      await eventually(() => requestsFor(c.server, CMS).watches.length === 2, 'a second watch');
      const { lists, watches } = requestsFor(c.server, CMS);
      assert.equal(lists.length, 1, 'no relist');
      assert.equal(watches[1]!.get('resourceVersion'), rv);
      assert.equal(watches[1]!.get('allowWatchBookmarks'), 'true');
      const timeout = Number(watches[1]!.get('timeoutSeconds'));
      assert.ok(timeout >= 30 && timeout <= 60, `timeoutSeconds ${timeout} within the configured range`);
      c.server.create('configmaps', cm('c'));
      await converged(c);
    });
  });

  test('5: an in-stream 410 relists: deletes what vanished, updates what changed, leaves unchanged RVs alone', async () => {
    await withCluster({ seed: { configmaps: [cm('a'), cm('b'), cm('c')] } }, async (c) => {
      await eventually(() => watching(c), 'watching');
      const gap = offline(c);
      await eventually(() => (stats(c).errors['503'] ?? 0) > 0, 'watches failing');
      c.server.delete('configmaps', 'default', 'b');
      c.server.update('configmaps', cm('c', { k: 'v2' }));
      c.server.faults.compact();
      const before = c.sink().changes.length;
      gap.online();
      await eventually(() => stats(c).relists === 1, 'relisted after the 410');
      await converged(c);
      assert.deepEqual(c.sink().changes.slice(before), [{ op: 'delete', id: 'default/b' }, { op: 'update', id: 'default/c' }]);
      assert.equal(stats(c).events.ERROR, 1);
      const { lists } = requestsFor(c.server, CMS);
      assert.equal(lists[1]!.get('resourceVersion'), null, 'the relist is a consistent read');
    });
  });

  test('5b: expireWatches() (410 on an open watch) relists and changes nothing when nothing changed', async () => {
    await withCluster({ seed: { configmaps: [cm('a'), cm('b')] } }, async (c) => {
      await eventually(() => watching(c), 'watching');
      c.server.faults.expireWatches('configmaps');
      await eventually(() => stats(c).relists === 1, 'relisted');
      await converged(c);
      assert.deepEqual(c.sink().changes, [{ op: 'add', id: 'default/a' }, { op: 'add', id: 'default/b' }], 'only the first list added anything');
      assert.equal(c.sink().syncedCount, 1, 'synced() once per start');
    });
  });

  test('6: a 410 on a continue page restarts the list from the first page', async () => {
    const seed = Array.from({ length: 7 }, (_, i) => cm(`p${i}`));
    let expired = false;
    let server: Cluster['server'] | undefined;
    const wrapClient = (client: ApiClient): ApiClient => ({
      close: () => client.close(),
      request: async (path, query, options) => {
        const response = await client.request(path, query, options);
        // After the first page, expire every continue token once: page 2 then gets 410.
        if (!expired && path.endsWith(CMS) && query.get('watch') === null && !query.has('continue')) {
          expired = true;
          server!.faults.expireContinueTokens();
        }
        return response;
      },
    });
    const cluster = await startCluster({ seed: { configmaps: seed }, pageSize: 3, wrapClient });
    server = cluster.server;
    try {
      await eventually(() => synced(cluster), 'synced');
      const { lists } = requestsFor(cluster.server, CMS);
      assert.deepEqual(lists.map((q) => (q.has('continue') ? 'continue' : `first rv=${q.get('resourceVersion')}`)), [
        'first rv=0', 'continue', 'first rv=null', 'continue', 'continue',
      ]);
      assert.equal(stats(cluster).errors['410'], 1);
      assert.equal(stats(cluster).lists, 1, 'one complete list delivered');
      await converged(cluster);
    } finally {
      await cluster.close();
    }
  });

  test('7: a paginated list shares one resourceVersion across pages and the watch starts from it', async () => {
    const seed = Array.from({ length: 10 }, (_, i) => cm(`p${i}`));
    await withCluster({ seed: { configmaps: seed }, pageSize: 4 }, async (c) => {
      await eventually(() => watching(c), 'watching');
      const rvAtList = c.server.resourceVersion;
      const { lists, watches } = requestsFor(c.server, CMS);
      assert.equal(lists.length, 3);
      assert.ok(lists.every((q) => q.get('limit') === '4'));
      assert.deepEqual(c.sink().calls.filter((call) => call.op === 'replace'), [{ op: 'replace', count: 10 }]);
      assert.equal(watches[0]!.get('resourceVersion'), rvAtList);
      await converged(c);
    });
  });

  test('8: 429 with Retry-After, 500/503 on list and watch, and a reset mid-stream all back off and recover', async () => {
    await withCluster({}, async (c) => {
      c.server.faults.nextStatus(429, { resource: 'configmaps', verb: 'list', retryAfterSeconds: 1 });
      c.server.faults.nextStatus(500, { resource: 'configmaps', verb: 'list' });
      await eventually(() => synced(c), 'synced after a 429 and a 500');
      const lists = c.server.requests.filter((r) => r.path.endsWith(CMS) && r.query.get('watch') === null);
      assert.equal(lists.length, 3);
      // That the retry waited for Retry-After is asserted with a fake clock in reflector.test.ts.
      c.server.faults.nextStatus(503, { resource: 'configmaps', verb: 'watch', times: 2 });
      c.server.faults.dropWatches('configmaps');
      c.server.create('configmaps', cm('during-outage'));
      await converged(c);
      c.server.faults.dropWatches('configmaps');
      c.server.update('configmaps', cm('during-outage', { k: 'v' }));
      await converged(c);
      const s = stats(c);
      assert.deepEqual([s.errors['429'], s.errors['500'], s.errors['503']], [1, 1, 2]);
      assert.ok((s.errors.network ?? 0) >= 1, 'resets counted as network errors');
      assert.equal(s.relists, 0, 'no relist for transient errors');
    });
  });

  test('9: a silent stall trips the inactivity timeout and reconnects', async () => {
    await withCluster({ server: { bookmarkIntervalMs: 50 }, tuning: { idleTimeoutMs: 400 } }, async (c) => {
      c.server.faults.stallNextWatch('configmaps');
      await eventually(() => synced(c), 'synced');
      c.server.create('configmaps', cm('after-stall'));
      await converged(c);
      assert.equal(stats(c).errors['idle-timeout'], 1);
      assert.equal(requestsFor(c.server, CMS).watches.length, 2);
      assert.equal(requestsFor(c.server, CMS).lists.length, 1, 'no relist');
    });
  });

  test('10: a server closing every watch at once is retried with backoff, without relisting', async () => {
    await withCluster({ server: { bookmarkIntervalMs: 60_000 } }, async (c) => {
      await eventually(() => synced(c), 'synced');
      for (let i = 0; i < 5; i++) {
        await eventually(() => c.server.openWatches('configmaps') === 1, 'a watch is open');
        c.server.faults.closeWatches('configmaps');
        await eventually(() => (stats(c).errors['closed-early'] ?? 0) === i + 1, `close ${i + 1} counted`);
      }
      c.server.create('configmaps', cm('x'));
      await converged(c);
      assert.equal(stats(c).relists, 0);
      // The request-rate bound itself is asserted with a fake clock in backoff.test.ts.
    });
  });

  test('11: a name deleted and recreated with a new uid during a gap is a delete then an add', async () => {
    await withCluster({ seed: { configmaps: [cm('a'), cm('keep')] } }, async (c) => {
      await eventually(() => watching(c), 'watching');
      const oldUid = c.sink().objects.get('default/a')?.metadata.uid;
      const gap = offline(c);
      await eventually(() => (stats(c).errors['503'] ?? 0) > 0, 'watches failing');
      c.server.delete('configmaps', 'default', 'a');
      c.server.create('configmaps', cm('a', { reborn: 'yes' }));
      c.server.faults.compact();
      const before = c.sink().changes.length;
      gap.online();
      await eventually(() => stats(c).relists === 1, 'relisted');
      await converged(c);
      assert.deepEqual(c.sink().changes.slice(before), [{ op: 'delete', id: 'default/a' }, { op: 'add', id: 'default/a' }]);
      assert.notEqual(c.sink().objects.get('default/a')?.metadata.uid, oldUid);
    });
  });

  test('12: namespace, label and field selectors are sent identically on list and watch', async () => {
    const labelSelector = 'app in (web,api),tier!=db';
    const fieldSelector = 'metadata.name!=skip';
    const matches = (o: { metadata: { name: string; namespace?: string; labels?: Record<string, string> } }): boolean =>
      o.metadata.namespace === 'prod' && ['web', 'api'].includes(o.metadata.labels?.app ?? '') && o.metadata.labels?.tier !== 'db' && o.metadata.name !== 'skip';
    const seed = [
      cm('w', {}, { app: 'web' }, 'prod'), cm('x', {}, { app: 'web' }, 'dev'), cm('d', {}, { app: 'api', tier: 'db' }, 'prod'),
      cm('skip', {}, { app: 'web' }, 'prod'), cm('o', {}, { app: 'other' }, 'prod'),
    ];
    await withCluster({ seed: { configmaps: seed }, resources: [{ name: 'configmaps', namespace: 'prod', labelSelector, fieldSelector }] }, async (c) => {
      await eventually(() => synced(c), 'synced');
      c.server.create('configmaps', cm('n', {}, { app: 'api' }, 'prod'));
      c.server.update('configmaps', cm('o', {}, { app: 'web' }, 'prod')); // starts matching
      c.server.update('configmaps', cm('w', {}, { app: 'web', tier: 'db' }, 'prod')); // stops matching
      c.server.create('configmaps', cm('y', {}, { app: 'web' }, 'dev'));
      await converged(c, 'configmaps', 'configmaps', matches);
      const requests = c.server.requests.filter((r) => r.path.endsWith(CMS));
      assert.ok(requests.length >= 2);
      for (const r of requests) {
        assert.equal(r.path, '/api/v1/namespaces/prod/configmaps');
        assert.equal(r.query.get('labelSelector'), labelSelector);
        assert.equal(r.query.get('fieldSelector'), fieldSelector);
      }
    });
  });

  test('13a: a streaming list syncs at the initial-events-end bookmark without any LIST', async () => {
    await withCluster({ seed: { configmaps: [cm('a'), cm('b')] }, streamingList: true }, async (c) => {
      await eventually(() => synced(c), 'synced');
      assert.deepEqual(c.sink().ops(), ['replace', 'synced']);
      c.server.create('configmaps', cm('c'));
      await converged(c);
      const { lists, watches } = requestsFor(c.server, CMS);
      assert.equal(lists.length, 0);
      assert.equal(watches[0]!.get('sendInitialEvents'), 'true');
      assert.equal(stats(c).streamingList, true);
    });
  });

  test('13b: a server rejecting streaming lists gets list+watch, remembered across relists', async () => {
    const { logger, records } = capturingLogger();
    await withCluster({ seed: { configmaps: [cm('a')] }, streamingList: true, server: { streamingLists: false }, logger }, async (c) => {
      await eventually(() => watching(c), 'watching');
      c.server.faults.expireWatches('configmaps');
      await eventually(() => stats(c).relists === 1, 'relisted');
      c.server.create('configmaps', cm('b'));
      await converged(c);
      const { lists, watches } = requestsFor(c.server, CMS);
      assert.equal(watches.filter((q) => q.get('sendInitialEvents') === 'true').length, 1, 'streaming tried once');
      assert.equal(lists.length, 2);
      assert.equal(stats(c).streamingList, false);
      assert.ok(records.some((r) => String(r.msg).includes('rejected a streaming list (422)')));
    });
  });

  test('14: stop() during connect, mid-stream and during backoff leaves no callbacks and no open sockets', async () => {
    const sockets = (): string[] => process.getActiveResourcesInfo().filter((h) => /^(TCPSocketWrap|TCPServerWrap|ConnectWrap)$/.test(h));
    // Sockets of other tests sharing the process (npm run test:unit runs every file in one).
    const before = sockets().length;
    // During connect: stop right after start, while discovery is in flight.
    const connecting = await startCluster({ seed: { configmaps: [cm('a')] } });
    await connecting.close();
    const callsAtStop = connecting.sink().calls.length;

    // Mid-stream.
    const streaming = await startCluster({ seed: { configmaps: [cm('a')] } });
    await eventually(() => streaming.server.openWatches('configmaps') === 1, 'watching');
    await streaming.source.stop();
    await eventually(() => streaming.server.openWatches() === 0, 'the server saw the watch close');
    streaming.server.create('configmaps', cm('late'));

    // During backoff.
    const failing = await startCluster({ tuning: { backoffInitialMs: 60_000, backoffCapMs: 60_000 } });
    failing.server.faults.permanentStatus(500, { resource: 'configmaps' });
    await eventually(() => (stats(failing).errors['500'] ?? 0) >= 1 || failing.sink().syncedCount === 1, 'first attempt done');
    await failing.source.stop();
    const requestsAtStop = failing.server.requests.length;

    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(connecting.sink().calls.length, callsAtStop, 'nothing delivered after stop (connect)');
    assert.equal(streaming.sink().calls.filter((call) => call.op === 'add').length, 0, 'nothing delivered after stop (mid-stream)');
    assert.equal(failing.server.requests.length, requestsAtStop, 'no retry after stop (backoff)');
    await streaming.close();
    await failing.close();
    // Destroyed sockets and closed servers release their handles within a few ticks.
    await eventually(() => sockets().length <= before, `no sockets left open (${sockets().join(', ')})`);
  });
});
