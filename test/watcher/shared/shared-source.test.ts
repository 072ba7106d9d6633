/**
 * SharedSource against the in-memory repository with a fake clock: what is delivered, how
 * selectors and clusters filter, how bad records, lost watches and errors are handled.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRepository } from '../../../src/kv/memory/repository.ts';
import { KvError, type KvListing, type Repository } from '../../../src/kv/index.ts';
import { silentLogger } from '../../../src/log.ts';
import { WatchError } from '../../../src/watcher/index.ts';
import { SharedSource } from '../../../src/watcher/shared/index.ts';
import type { WatchedResourceConfig } from '../../../src/config/types.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { eventually } from '../../support/waiters.ts';
import { watchedResource } from '../../support/builders.ts';
import type { KubeObject } from '../../../src/k8s.ts';
import { LAYOUT, publish, RecordingSink, service, serviceKey, sourceConfig, unpublish, where } from './helpers.ts';

const SERVICES = watchedResource('services', { apiVersion: 'v1', kind: 'Service' });

function setup(options: { resources?: WatchedResourceConfig[]; clusters?: 'all' | string[]; repository?: Repository; watch?: boolean; maxObjectBytes?: number } = {}) {
  const repository = options.repository ?? new MemoryRepository();
  const clock = new FakeClock();
  const errors: WatchError[] = [];
  const resources = options.resources ?? [SERVICES];
  const source = new SharedSource({
    config: sourceConfig({ clusters: options.clusters ?? 'all' }),
    resources,
    logger: silentLogger(),
    repository,
    clock,
    random: () => 0.5,
    watch: options.watch ?? true,
    onError: (err) => errors.push(err),
    ...(options.maxObjectBytes !== undefined ? { maxObjectBytes: options.maxObjectBytes } : {}),
  });
  const sinks = new Map(resources.map((r) => [r.name, new RecordingSink()]));
  return { repository, clock, errors, source, sinks, sink: sinks.get(resources[0]!.name)! };
}

describe('SharedSource', () => {
  test('delivers the listing with one replace and then synced, with metadata.cluster from the key', async () => {
    const { repository, source, sinks, sink } = setup();
    await publish(repository, 'east', service('web', 'a'));
    await publish(repository, 'west', service('web', 'b'));
    await source.start(sinks);
    await sink.waitFor((s) => s.events.some((e) => e.type === 'synced'), 'synced');
    assert.deepEqual(sink.summary(), ['replace', 'synced']);
    assert.deepEqual(where(sink.contents.values()), ['east/web/a', 'west/web/b']);
    assert.deepEqual(source.status(), [{ resource: 'services', synced: true }]);
    await source.stop();
  });

  test('delivers adds, updates and deletes from the watch', async () => {
    const { repository, source, sinks, sink } = setup();
    await publish(repository, 'east', service('web', 'a'));
    await source.start(sinks);
    await sink.waitFor((s) => s.events.length === 2, 'synced');
    await publish(repository, 'east', service('web', 'b'));
    await publish(repository, 'east', service('web', 'a', { rv: '2', port: 8080 }));
    await unpublish(repository, 'east', service('web', 'b'));
    await sink.waitFor((s) => s.events.length === 5, 'three changes');
    assert.deepEqual(sink.summary(2), ['add east|web/b', 'update east|web/a', 'delete east|web/b']);
    const deleted = sink.events[4]!;
    assert.ok(deleted.type === 'delete');
    assert.deepEqual(deleted.obj.metadata, { name: 'b', namespace: 'web', uid: 'uid-web-b', resourceVersion: '1', cluster: 'east' });
    assert.equal((sink.contents.get('east|web/a')?.spec as { ports: Array<{ port: number }> }).ports[0]?.port, 8080);
    await source.stop();
  });

  test('applies namespace and label selectors, and an object that stops matching is deleted', async () => {
    const selective = watchedResource('services', { apiVersion: 'v1', kind: 'Service', namespace: 'web', labelSelector: 'app in (shop)' });
    const { repository, source, sinks, sink } = setup({ resources: [selective] });
    await publish(repository, 'east', service('web', 'shop', { labels: { app: 'shop' } }));
    await publish(repository, 'east', service('web', 'blog', { labels: { app: 'blog' } }));
    await publish(repository, 'east', service('other', 'shop2', { labels: { app: 'shop' } }));
    await source.start(sinks);
    await sink.waitFor((s) => s.events.length === 2, 'synced');
    assert.deepEqual(sink.ids(), ['east|web/shop']);
    await publish(repository, 'east', service('web', 'shop', { labels: { app: 'blog' }, rv: '2' }));
    await publish(repository, 'east', service('web', 'blog', { labels: { app: 'shop' }, rv: '2' }));
    await sink.waitFor((s) => s.events.length === 4, 'two changes');
    assert.deepEqual(sink.summary(2), ['delete east|web/shop', 'add east|web/blog']);
    await source.stop();
  });

  test('a field selector can name the cluster an object came from', async () => {
    const fromEast = watchedResource('services', { apiVersion: 'v1', kind: 'Service', fieldSelector: 'metadata.cluster=east' });
    const { repository, source, sinks, sink } = setup({ resources: [fromEast] });
    await publish(repository, 'east', service('web', 'a'));
    await publish(repository, 'west', service('web', 'b'));
    await source.start(sinks);
    await sink.waitFor((s) => s.events.length === 2, 'synced');
    assert.deepEqual(where(sink.contents.values()), ['east/web/a']);
    await source.stop();
  });

  test('reads only the subscribed clusters', async () => {
    const { repository, source, sinks, sink } = setup({ clusters: ['east', 'north'] });
    await publish(repository, 'east', service('web', 'a'));
    await publish(repository, 'west', service('web', 'b'));
    await publish(repository, 'north', service('web', 'c'));
    await source.start(sinks);
    await sink.waitFor((s) => s.events.length === 2, 'synced');
    await publish(repository, 'west', service('web', 'd'));
    await publish(repository, 'east', service('web', 'e'));
    await sink.waitFor((s) => s.events.length === 3, 'one add');
    assert.deepEqual(where(sink.contents.values()), ['east/web/a', 'east/web/e', 'north/web/c']);
    await source.stop();
  });

  test('reports a record that does not decode, naming its key, and keeps going', async () => {
    const { repository, source, sinks, sink, errors } = setup();
    const bad = serviceKey('east', service('web', 'bad'));
    await repository.create(bad, '{not json');
    await publish(repository, 'east', service('web', 'good'));
    await source.start(sinks);
    await sink.waitFor((s) => s.events.length === 2, 'synced');
    assert.deepEqual(sink.ids(), ['east|web/good']);
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof WatchError);
    assert.match(errors[0].message, new RegExp(`services: key ${bad}: the value is not JSON`));
    assert.match(source.status()[0]?.lastProblem?.message ?? '', /not JSON/);
    await repository.create(serviceKey('east', service('web', 'other')), JSON.stringify(service('web', 'mismatch')));
    await publish(repository, 'east', service('web', 'late'));
    await sink.waitFor((s) => s.events.length === 3, 'one add');
    assert.deepEqual(sink.summary(2), ['add east|web/late']);
    assert.match(errors[1]?.message ?? '', /holds web\/mismatch, another object/);
    await source.stop();
  });

  test('does not trust whoever can write the prefix: checks size, kind, group and names against the key', async () => {
    const { repository, source, sinks, sink, errors } = setup({ maxObjectBytes: 2_000 });
    const put = (name: string, obj: KubeObject, namespace = 'web') =>
      repository.create(LAYOUT.keyOf({ group: '', resource: 'services', cluster: 'east', namespace, name }), JSON.stringify(obj));
    await put('big', { ...service('web', 'big'), spec: { data: 'x'.repeat(3_000) } });
    await put('cm', { ...service('web', 'cm'), kind: 'ConfigMap' });
    await put('grouped', { ...service('web', 'grouped'), apiVersion: 'example.com/v1' });
    await put('bad\nname', service('web', 'bad\nname'));
    await put('x', service('Bad_Namespace', 'x'), 'Bad_Namespace');
    await publish(repository, 'east', service('web', 'good'));
    await source.start(sinks);
    await sink.waitFor((s) => s.events.length === 2, 'synced');
    assert.deepEqual(sink.ids(), ['east|web/good']);
    const expected = [
      'the value is larger than limits.max_object_size (2 KiB); it is left out',
      'kind "ConfigMap" is not the watched resource\'s (Service)',
      'apiVersion "example.com/v1" is not of the key\'s group "core"',
      'name "bad\\nname" contains "/", "%", whitespace or a control character',
      'namespace "Bad_Namespace" is not a DNS-1123 label',
    ];
    assert.equal(errors.length, expected.length, errors.map((e) => e.message).join('\n'));
    for (const fragment of expected) assert.ok(errors.some((e) => e.message.includes(fragment)), fragment);
    await source.stop();
  });

  test('after a lost watch it lists again and replaces, so a delete missed meanwhile takes effect', async () => {
    const { repository, source, sinks, sink } = setup();
    const memory = repository as MemoryRepository;
    await publish(repository, 'east', service('web', 'a'));
    await publish(repository, 'east', service('web', 'b'));
    await source.start(sinks);
    await sink.waitFor((s) => s.events.length === 2, 'synced');
    memory.loseWatches(new KvError('Compacted', 'compacted in a test'));
    await unpublish(repository, 'east', service('web', 'b'));
    await sink.waitFor((s) => s.events.length === 3, 'a second replace');
    assert.deepEqual(sink.summary(2), ['replace']);
    assert.deepEqual(sink.ids(), ['east|web/a']);
    await publish(repository, 'east', service('web', 'c'));
    await sink.waitFor((s) => s.events.length === 4, 'an add from the new watch');
    assert.deepEqual(sink.summary(3), ['add east|web/c']);
    await source.stop();
  });

  test('keeps watch counters in the Kubernetes reflector\'s shape: events, lists, relists, restarts, errors, revision', async () => {
    const { repository, source, sinks, sink, clock } = setup();
    const memory = repository as MemoryRepository;
    await publish(repository, 'east', service('web', 'a'));
    await source.start(sinks);
    await sink.waitFor((s) => s.events.length === 2, 'synced');
    clock.advance(5);
    await publish(repository, 'east', service('web', 'b'));
    await publish(repository, 'east', service('web', 'a', { rv: '2' }));
    await unpublish(repository, 'east', service('web', 'b'));
    await sink.waitFor((s) => s.events.length === 5, 'three changes');
    const [first] = source.stats();
    assert.deepEqual(first!.events, { ADDED: 1, MODIFIED: 1, DELETED: 1, BOOKMARK: 0, ERROR: 0 });
    assert.deepEqual([first!.lists, first!.relists, first!.watchRestarts, first!.objects, first!.synced, first!.watching], [1, 0, 0, 1, true, true]);
    assert.equal(first!.resourceVersion, String(memory.revision));
    assert.equal(first!.lastEventAt, clock.now());
    memory.loseWatches(new KvError('Compacted', 'compacted in a test'));
    await publish(repository, 'east', service('web', 'c'));
    await sink.waitFor((s) => s.events.filter((e) => e.type === 'replace').length === 2 && s.contents.has('east|web/c'), 'a relist, and c');
    await publish(repository, 'east', service('web', 'd'));
    await sink.waitFor((s) => s.contents.has('east|web/d'), 'd from the new watch');
    const [after] = source.stats();
    assert.deepEqual([after!.lists, after!.relists, after!.watchRestarts, after!.objects], [2, 1, 1, 3]);
    assert.deepEqual(after!.errors, { Unavailable: 0, Compacted: 1, Invalid: 0, decode: 0, other: 0 });
    await source.stop();
  });

  test('retries a failing list with backoff on the injected clock and reports the problem meanwhile', async () => {
    const memory = new MemoryRepository();
    let failures = 2;
    const flaky: Repository = Object.assign(Object.create(memory) as Repository, {
      list: async (prefix: string): Promise<KvListing> => {
        if (failures-- > 0) throw new KvError('Unavailable', 'etcd is down in a test');
        return memory.list(prefix);
      },
    });
    const { clock, source, sinks, sink } = setup({ repository: flaky });
    await publish(memory, 'east', service('web', 'a'));
    await source.start(sinks);
    await eventually(() => clock.pending === 1, 'the retry after the first failure is scheduled', { intervalMs: 0 });
    assert.equal(source.status()[0]?.synced, false);
    assert.match(source.status()[0]?.lastProblem?.message ?? '', /etcd is down in a test; retrying in 400 ms/);
    clock.advance(400);
    await eventually(() => clock.pending === 1 && failures === 0, 'the retry after the second failure is scheduled', { intervalMs: 0 });
    assert.match(source.status()[0]?.lastProblem?.message ?? '', /retrying in 800 ms/);
    clock.advance(800);
    await sink.waitFor((s) => s.events.length === 2, 'synced');
    assert.deepEqual(source.status(), [{ resource: 'services', synced: true }]);
    await source.stop();
    assert.equal(clock.pending, 0);
  });

  test('stop during a backoff leaves no timer and no later delivery', async () => {
    const memory = new MemoryRepository();
    const down: Repository = Object.assign(Object.create(memory) as Repository, {
      list: async (): Promise<KvListing> => {
        throw new KvError('Unavailable', 'down');
      },
    });
    const { clock, source, sinks, sink } = setup({ repository: down });
    await source.start(sinks);
    await eventually(() => clock.pending === 1, 'a retry is scheduled', { intervalMs: 0 });
    await source.stop();
    assert.equal(clock.pending, 0);
    assert.deepEqual(sink.events, []);
  });

  test('without watch it delivers the listing and follows nothing', async () => {
    const { repository, source, sinks, sink } = setup({ watch: false });
    await publish(repository, 'east', service('web', 'a'));
    await source.start(sinks);
    await sink.waitFor((s) => s.events.length === 2, 'synced');
    await publish(repository, 'east', service('web', 'b'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(sink.summary(), ['replace', 'synced']);
    await source.stop();
  });

  test('fetch reads the current object from the repository, in the cluster named or the one it was delivered from', async () => {
    const { repository, source, sinks, sink } = setup();
    await publish(repository, 'east', service('web', 'a'));
    await publish(repository, 'west', service('web', 'twin'));
    await publish(repository, 'east', service('web', 'twin'));
    await source.start(sinks);
    await sink.waitFor((s) => s.events.length === 2, 'synced');
    await publish(repository, 'east', service('web', 'a', { rv: '7' }));
    const fetched = await source.fetch('services', { namespace: 'web', name: 'a' });
    assert.equal(fetched?.metadata.resourceVersion, '7');
    assert.equal(fetched?.metadata.cluster, 'east');
    assert.equal(await source.fetch('services', { namespace: 'web', name: 'missing' }), undefined);
    await assert.rejects(source.fetch('services', { namespace: 'web', name: 'twin' }), /several clusters \(east, west\)/);
    const twin = await source.fetch('services', { cluster: 'west', namespace: 'web', name: 'twin' });
    assert.equal(twin?.metadata.cluster, 'west');
    assert.equal(await source.fetch('services', { cluster: 'west', namespace: 'web', name: 'a' }), undefined);
    await assert.rejects(source.fetch('pods', { namespace: 'web', name: 'a' }), /pods is not a watched resource/);
    await source.stop();
  });

  test('fetch with one subscribed cluster reads that cluster’s key', async () => {
    const { repository, source, sinks, sink } = setup({ clusters: ['west'] });
    await source.start(sinks);
    await sink.waitFor((s) => s.events.length === 2, 'synced');
    await publish(repository, 'west', service('web', 'new'));
    await publish(repository, 'east', service('web', 'elsewhere'));
    assert.equal((await source.fetch('services', { namespace: 'web', name: 'new' }))?.metadata.cluster, 'west');
    assert.equal(await source.fetch('services', { namespace: 'web', name: 'elsewhere' }), undefined);
    await source.stop();
  });

  test('start rejects a sink map without a sink for every resource', async () => {
    const { source } = setup();
    await assert.rejects(source.start(new Map()), (err) => err instanceof WatchError && err.resource === 'services');
  });

  test('a selector that does not parse is a WatchError naming the resource', () => {
    const broken = watchedResource('services', { apiVersion: 'v1', kind: 'Service', labelSelector: 'app in (' });
    assert.throws(() => setup({ resources: [broken] }), (err) => err instanceof WatchError && /services: label_selector/.test(err.message));
  });
});
