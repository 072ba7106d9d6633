/**
 * SharedSource against each real shared store (etcd and PostgreSQL,
 * test/support/shared-stores.ts), objects written by the test with the key layout as a
 * publisher would: delivery, restarts of the renderer and of the store, a connection cut
 * while the history is compacted or trimmed, 10,000 objects listed and watched, and
 * `informant render` on a config whose source is the store.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Indexer } from '../../../src/indexer/index.ts';
import { KV_MAX_OPERATIONS, type Repository } from '../../../src/kv/index.ts';
import { silentLogger } from '../../../src/log.ts';
import { MemoryStore } from '../../../src/store/memory-store.ts';
import { SharedSource } from '../../../src/watcher/shared/index.ts';
import type { WatchSink } from '../../../src/watcher/index.ts';
import { runCliInProcess } from '../../support/cli.ts';
import { watchedResource } from '../../support/builders.ts';
import { whenReachable } from '../../support/etcd.ts';
import { SHARED_STORE_KINDS, type TestSharedStore } from '../../support/shared-stores.ts';
import { TcpProxy } from '../../support/tcp-proxy.ts';
import { publish, RecordingSink, service, serviceKey, sourceConfig, unpublish, where } from './helpers.ts';

const SERVICES = watchedResource('services', { apiVersion: 'v1', kind: 'Service' });
/** Small retry delays: the store restarts in these tests, and nothing asserts how long a retry takes. */
const QUICK_BACKOFF = { initialMs: 50, capMs: 500 };

/**
 * Starts a source for the test `t`, stopped when `t` ends, passed or failed: a source left
 * running (its connection, watch and retry timers) would keep the test file from ending.
 */
async function startSource(t: TestContext, store: TestSharedStore, sink: WatchSink, port?: number): Promise<SharedSource> {
  const source = new SharedSource({ config: sourceConfig(), resources: [SERVICES], logger: silentLogger(), backoff: QUICK_BACKOFF, connect: () => store.connect(port) });
  t.after(() => source.stop());
  await source.start(new Map([['services', sink]]));
  return source;
}

/** A MemoryStore behind an Indexer, as the controller wires them, and a waiter on its contents. */
function indexedStore() {
  const store = new MemoryStore({ name: 'services', keyCount: 2 });
  const recorder = new RecordingSink();
  const indexer = new Indexer({ resource: SERVICES, store, logger: silentLogger(), onChange: () => recorder.waiters.notify() });
  const contents = () => where(store.list());
  const when = (condition: () => boolean, what: string) => recorder.waiters.until(condition, what);
  const until = (expected: string[], what: string) => when(() => JSON.stringify(contents()) === JSON.stringify(expected), what);
  return { store, indexer, contents, until, when };
}

for (const kind of SHARED_STORE_KINDS) describe(`SharedSource against ${kind.name}`, { skip: kind.skip, timeout: 120_000 }, () => {
  let store: TestSharedStore;
  let writer: Repository;
  before(async () => {
    store = await kind.start();
    writer = store.connect();
  });
  after(async () => {
    await writer?.close();
    await store?.stop();
  });

  /** Removes every published object, so each test starts from an empty prefix. */
  async function clean(): Promise<void> {
    const { records } = await writer.list('/informant/');
    for (const record of records) await writer.delete(record.key);
  }

  test('delivers the published objects, then their adds, updates and deletes', async (t) => {
    await clean();
    await publish(writer, 'east', service('web', 'a'));
    const sink = new RecordingSink();
    const source = await startSource(t, store, sink);
    await sink.waitFor((s) => s.events.length === 2, 'synced');
    await publish(writer, 'west', service('web', 'b'));
    await publish(writer, 'east', service('web', 'a', { rv: '2' }));
    await unpublish(writer, 'west', service('web', 'b'));
    await sink.waitFor((s) => s.events.length === 5, 'three changes');
    assert.deepEqual(sink.summary(), ['replace', 'synced', 'add west|web/b', 'update east|web/a', 'delete west|web/b']);
    assert.deepEqual(where(sink.contents.values()), ['east/web/a']);
    await source.stop();
  });

  test('a renderer that stops and starts again has exactly what etcd has: none lost, no ghosts', async (t) => {
    await clean();
    const { indexer, contents, until } = indexedStore();
    for (const name of ['a', 'b', 'c']) await publish(writer, 'east', service('web', name));
    let source = await startSource(t, store, indexer);
    await until(['east/web/a', 'east/web/b', 'east/web/c'], 'the first listing');
    await source.stop();
    await unpublish(writer, 'east', service('web', 'b'));
    await publish(writer, 'east', service('web', 'c', { rv: '2', port: 9090 }));
    await publish(writer, 'west', service('web', 'd'));
    source = await startSource(t, store, indexer);
    await until(['east/web/a', 'east/web/c', 'west/web/d'], 'the listing after the restart');
    await publish(writer, 'east', service('web', 'e'));
    await until(['east/web/a', 'east/web/c', 'east/web/e', 'west/web/d'], 'a change after the restart');
    assert.deepEqual(contents(), ['east/web/a', 'east/web/c', 'east/web/e', 'west/web/d']);
    await source.stop();
  });

  test(`changes made after a ${kind.name} restart are delivered, none lost or duplicated`, async (t) => {
    await clean();
    await publish(writer, 'east', service('web', 'a'));
    const sink = new RecordingSink();
    const source = await startSource(t, store, sink);
    await sink.waitFor((s) => s.events.length === 2, 'synced');
    await store.restart();
    await whenReachable(() => publish(writer, 'east', service('web', 'b')));
    await publish(writer, 'east', service('web', 'a', { rv: '2' }));
    // The watch resumes after the restart; if the store ended it instead, a relist (replace)
    // delivers the same state. Either way nothing is lost and nothing arrives twice.
    const current = (s: RecordingSink): boolean =>
      where(s.contents.values()).join() === 'east/web/a,east/web/b' && s.contents.get('east|web/a')?.metadata.resourceVersion === '2';
    await sink.waitFor(current, 'both changes');
    const changes = sink.summary(2).filter((event) => event !== 'replace');
    assert.deepEqual(changes, [...new Set(changes)], 'no change delivered twice');
    for (const change of changes) assert.ok(['add east|web/b', 'update east|web/a'].includes(change), change);
    await source.stop();
  });

  describe('with the connection cut while the history is compacted', () => {
    let proxy: TcpProxy;
    before(async () => {
      proxy = await TcpProxy.start(store.port);
    });
    after(() => proxy?.stop());

    test('the relist reconciles: a delete missed meanwhile disappears, unchanged objects cause no store change', async (t) => {
      await clean();
      const { store: memory, indexer, until } = indexedStore();
      for (const name of ['a', 'b']) await publish(writer, 'east', service('web', name));
      const source = await startSource(t, store, indexer, Number(new URL(proxy.endpoint).port));
      await until(['east/web/a', 'east/web/b'], 'the first listing');
      const before = memory.modCount;
      await proxy.cut();
      await unpublish(writer, 'east', service('web', 'b'));
      const latest = await publish(writer, 'west', service('other', 'noise'));
      await writer.delete('/informant/core/services/west/other/noise');
      await store.compact(latest);
      await proxy.restore();
      await until(['east/web/a'], 'the relist after compaction');
      assert.equal(memory.modCount, before + 1);
      assert.equal(source.status()[0]?.synced, true);
      await source.stop();
    });
  });

  test('10,000 objects are listed, then followed through updates and deletes', async (t) => {
    await clean();
    const total = 10_000;
    const operations = Array.from({ length: total }, (_, i) => ({ type: 'put' as const, key: serviceKey('east', service(`ns-${i % 20}`, `svc-${i}`)), value: JSON.stringify(service(`ns-${i % 20}`, `svc-${i}`)) }));
    for (let i = 0; i < total; i += KV_MAX_OPERATIONS) await writer.commit({ guards: [], operations: operations.slice(i, i + KV_MAX_OPERATIONS) });
    const { store: memory, indexer, when } = indexedStore();
    const counted = (n: number, what: string) => when(() => memory.size() === n, `${what} (have ${memory.size()})`);
    const source = await startSource(t, store, indexer);
    await counted(total, 'every object listed');
    const deletes = operations.slice(0, 200).map((op) => ({ type: 'delete' as const, key: op.key }));
    for (let i = 0; i < deletes.length; i += KV_MAX_OPERATIONS) await writer.commit({ guards: [], operations: deletes.slice(i, i + KV_MAX_OPERATIONS) });
    await publish(writer, 'east', service('ns-19', 'svc-9999', { rv: '2', port: 9999 }));
    await counted(total - 200, 'the deletes followed');
    await when(() => memory.get('ns-19', 'svc-9999').some((o) => o.metadata.resourceVersion === '2'), 'the update followed');
    assert.equal(source.status()[0]?.synced, true);
    await source.stop();
  });

  describe('informant render', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'informant-shared-render-'));
    });
    after(() => rm(dir, { recursive: true, force: true }));

    test('renders a template from the objects in the store, each with its cluster', async () => {
      await clean();
      await publish(writer, 'east', service('shop', 'web', { port: 80 }));
      await publish(writer, 'west', service('blog', 'api', { port: 8080 }));
      const config = [
        'watched_resources:',
        '  services: {api_version: v1, kind: Service}',
        'source:',
        `  shared: {backend: ${store.backend}, prefix: informant, ${store.settingsYaml()}}`,
        'templates:',
        '  list:',
        '    inline: "{% for s in resources.services %}{{ s.metadata.cluster }} {{ s.metadata.namespace }}/{{ s.metadata.name }} {{ s.spec.ports[0].port }}\\n{% endfor %}"',
        '    output: out/list.txt',
        '',
      ].join('\n');
      await writeFile(join(dir, 'config.yaml'), config);
      const result = await runCliInProcess(['render', '--config', join(dir, 'config.yaml'), '--out', '-']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, 'west blog/api 8080\neast shop/web 80\n');
    });
  });
});

