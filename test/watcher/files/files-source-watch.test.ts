import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LimitsConfig, WatchedResourceConfig } from '../../../src/config/types.ts';
import type { WatchError } from '../../../src/watcher/index.ts';
import { FilesSource, type AppliedBatch } from '../../../src/watcher/files/index.ts';
import type { Clock } from '../../../src/time/clock.ts';
import { eventually } from '../../support/waiters.ts';
import { watchedResource } from '../../support/builders.ts';
import { captureLogger, configMap, RecordingSink, tempFolder, Waiters } from './helpers.ts';

const CMS = [watchedResource('cms', { kind: 'ConfigMap' })];

/** How many file system watchers the process holds. */
const fileWatchers = (): number =>
  process.getActiveResourcesInfo().filter((r) => r === 'FSEventWrap' || r === 'StatWatcher').length;

async function watching(t: TestContext, files: Record<string, string>, resources: WatchedResourceConfig[] = CMS, single?: string, limits?: LimitsConfig) {
  const dir = await tempFolder();
  for (const [rel, text] of Object.entries(files)) await dir.write(rel, text);
  const sinks = new Map(resources.map((r) => [r.name, new RecordingSink()]));
  const batches: AppliedBatch[] = [];
  const batchWaiters = new Waiters();
  const errors: WatchError[] = [];
  const source = new FilesSource({
    path: single ? join(dir.root, single) : dir.root,
    watch: true,
    debounceMs: 25,
    resources,
    logger: captureLogger().logger,
    onError: (e) => errors.push(e),
    ...(limits ? { limits } : {}),
    onBatchApplied: (b) => {
      batches.push(b);
      batchWaiters.notify();
    },
  });
  t.after(async () => {
    await source.stop();
    await dir.remove();
  });
  await source.start(sinks);
  const sink = sinks.get(resources[0]!.name)!;
  /** Resolves once a batch after this call has read `rel` (or removed it). */
  const batchTouching = (rel: string): Promise<void> => {
    const from = batches.length;
    const path = join(dir.root, rel);
    return batchWaiters.until(
      () => batches.slice(from).some((b) => b.read.includes(path) || b.removed.includes(path)),
      `a batch reading ${rel}`,
    );
  };
  return { dir, source, sink, sinks, batches, errors, batchTouching };
}

describe('FilesSource watching a folder', () => {
  test('turns a changed object into one update with a new resourceVersion and the same uid', async (t) => {
    const { dir, sink } = await watching(t, { 'a.yaml': configMap('a', 'ns', { v: '1' }) + '---\n' + configMap('b', 'ns') });
    const before = sink.contents.get('ns/a')!;
    const start = sink.events.length;
    await dir.write('a.yaml', configMap('a', 'ns', { v: '2' }) + '---\n' + configMap('b', 'ns'));
    await sink.waitFor((s) => s.events.length > start, 'an event');
    assert.deepEqual(sink.summary(start), ['update ns/a']);
    const after = sink.contents.get('ns/a')!;
    assert.deepEqual(after.data, { v: '2' });
    assert.equal(after.metadata.uid, before.metadata.uid);
    assert.notEqual(after.metadata.resourceVersion, before.metadata.resourceVersion);
  });

  test('adds the objects of a new file, also in a new nested folder', async (t) => {
    const { dir, sink } = await watching(t, { 'a.yaml': configMap('a', 'ns') });
    const start = sink.events.length;
    await dir.write('new/deeper/b.yaml', configMap('b', 'ns') + '---\n' + configMap('c', 'ns'));
    await sink.waitFor((s) => s.ids().length === 3, 'two adds');
    assert.deepEqual(sink.summary(start), ['add ns/b', 'add ns/c']);
  });

  test('deletes the objects of a deleted file, and of every file in a deleted folder', async (t) => {
    const { dir, sink } = await watching(t, {
      'a.yaml': configMap('a', 'ns'),
      'b.yaml': configMap('b', 'ns'),
      'sub/c.yaml': configMap('c', 'ns'),
      'sub/d/e.yaml': configMap('e', 'ns'),
    });
    const start = sink.events.length;
    await rm(join(dir.root, 'b.yaml'));
    await sink.waitFor((s) => !s.contents.has('ns/b'), 'b deleted');
    await rm(join(dir.root, 'sub'), { recursive: true });
    await sink.waitFor((s) => s.ids().length === 1, 'c and e deleted');
    assert.deepEqual(sink.summary(start).sort(), ['delete ns/b', 'delete ns/c', 'delete ns/e']);
    const deleted = sink.events.at(-1)!;
    assert.ok('obj' in deleted && deleted.obj.metadata.uid, 'a delete carries the uid');
  });

  test('emits nothing when a file is rewritten unchanged or with keys reordered', async (t) => {
    const { dir, sink, batchTouching } = await watching(t, { 'a.yaml': configMap('a', 'ns', { x: '1', y: '2' }) });
    const start = sink.events.length;
    let seen = batchTouching('a.yaml');
    await dir.write('a.yaml', configMap('a', 'ns', { x: '1', y: '2' }));
    await seen;
    seen = batchTouching('a.yaml');
    await dir.write('a.yaml', configMap('a', 'ns', { y: '2', x: '1' }).replace('data:', '# a comment\ndata:'));
    await seen;
    assert.deepEqual(sink.summary(start), []);
  });

  test('keeps the objects of a file that becomes malformed, reports it, and applies the fix', async (t) => {
    const { dir, sink, source, errors, batchTouching } = await watching(t, {
      'a.yaml': configMap('a', 'ns', { v: '1' }) + '---\n' + configMap('b', 'ns'),
      'other.yaml': configMap('other', 'ns'),
    });
    const start = sink.events.length;
    const broken = batchTouching('a.yaml');
    await dir.write('a.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: [ns\n');
    await broken;
    assert.deepEqual(sink.summary(start), [], 'nothing is deleted');
    assert.deepEqual(sink.ids(), ['ns/a', 'ns/b', 'ns/other']);
    const problems = source.problems();
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.file, join(dir.root, 'a.yaml'));
    assert.equal(typeof problems[0]!.line, 'number');
    assert.ok(errors.some((e) => e.message.startsWith(`${join(dir.root, 'a.yaml')}:`)));
    await dir.write('a.yaml', configMap('a', 'ns', { v: '2' }));
    await sink.waitFor((s) => s.events.length >= start + 2, 'update and delete');
    assert.deepEqual(sink.summary(start), ['delete ns/b', 'update ns/a']);
    assert.deepEqual(source.problems(), []);
  });

  test('sees an object moved to another file as no event, or as one update when it also changed', async (t) => {
    const { dir, sink, batchTouching } = await watching(t, {
      'a.yaml': configMap('moved', 'ns') + '---\n' + configMap('changed', 'ns', { v: '1' }),
      'b.yaml': configMap('stays', 'ns'),
    });
    const start = sink.events.length;
    let seen = batchTouching('b.yaml');
    await dir.write('b.yaml', [configMap('stays', 'ns'), configMap('moved', 'ns'), configMap('changed', 'ns', { v: '2' })].join('---\n'));
    await seen;
    seen = batchTouching('a.yaml');
    await rm(join(dir.root, 'a.yaml'));
    await seen;
    assert.deepEqual(sink.summary(start), ['update ns/changed']);
    assert.deepEqual(sink.ids(), ['ns/changed', 'ns/moved', 'ns/stays']);
  });

  test('routes changes through the selectors: an object leaving a selector is deleted from that resource only', async (t) => {
    const resources = [watchedResource('web', { kind: 'ConfigMap', labelSelector: 'app=web' }), watchedResource('all', { kind: 'ConfigMap' })];
    const { dir, sinks } = await watching(t, { 'a.yaml': configMap('a', 'ns', {}, { app: 'web' }) }, resources);
    const web = sinks.get('web')!;
    const all = sinks.get('all')!;
    const [webStart, allStart] = [web.events.length, all.events.length];
    await dir.write('a.yaml', configMap('a', 'ns', {}, { app: 'api' }));
    await web.waitFor((s) => s.events.length > webStart, 'web event');
    await all.waitFor((s) => s.events.length > allStart, 'all event');
    assert.deepEqual(web.summary(webStart), ['delete ns/a']);
    assert.deepEqual(all.summary(allStart), ['update ns/a']);
  });

  test('picks up a folder moved into the watched tree', async (t) => {
    const { dir, sink } = await watching(t, { 'a.yaml': configMap('a', 'ns') });
    const outside = `${dir.root}-outside`;
    t.after(() => rm(outside, { recursive: true, force: true }));
    await mkdir(join(outside, 'pack'), { recursive: true });
    await writeFile(join(outside, 'pack', 'x.yaml'), configMap('x', 'ns'));
    await rename(join(outside, 'pack'), join(dir.root, 'pack'));
    await sink.waitFor((s) => s.contents.has('ns/x'), 'x added');
  });

  test('sees a ConfigMap-style update that swaps the ..data link', async (t) => {
    const { dir, sink } = await watching(t, { '..2024_a/app.yaml': configMap('app', 'ns', { v: '1' }) });
    await symlink('..2024_a', join(dir.root, '..data'));
    await symlink('..data/app.yaml', join(dir.root, 'app.yaml'));
    await sink.waitFor((s) => s.contents.has('ns/app'), 'app added');
    const start = sink.events.length;
    await dir.write('..2024_b/app.yaml', configMap('app', 'ns', { v: '2' }));
    await symlink('..2024_b', join(dir.root, '..data_tmp'));
    await rename(join(dir.root, '..data_tmp'), join(dir.root, '..data'));
    await sink.waitFor((s) => s.events.length > start, 'an update');
    assert.deepEqual(sink.summary(start), ['update ns/app']);
    assert.deepEqual(sink.contents.get('ns/app')!.data, { v: '2' });
  });

  test('keeps every object and reports the source when the folder itself disappears', async (t) => {
    const { dir, sink, source, errors } = await watching(t, { 'a.yaml': configMap('a', 'ns'), 'sub/b.yaml': configMap('b', 'ns') });
    const start = sink.events.length;
    await rm(dir.root, { recursive: true });
    await eventually(() => errors.some((e) => /cannot list the manifests path/.test(e.message)), 'the source problem');
    assert.deepEqual(sink.summary(start), []);
    assert.match(source.status()[0]!.lastProblem?.message ?? '', /cannot list the manifests path .*keeping the objects loaded/);
  });

  test('leaves no watcher behind when stopped just after its folder was deleted', async (t) => {
    const baseline = fileWatchers();
    for (let round = 0; round < 5; round++) {
      const { dir, source } = await watching(t, { 'a.yaml': configMap('a', 'ns'), 'b.yaml': configMap('b', 'ns') });
      await dir.write('a.yaml', configMap('a', 'ns', { round: String(round) }));
      await rm(dir.root, { recursive: true });
      await source.stop();
    }
    await eventually(() => fileWatchers() === baseline, 'file watchers to close (none left on the parent folder)');
  });

  test('watches a single file given as the path', async (t) => {
    const { dir, sink } = await watching(t, { 'one.yaml': configMap('one', 'ns', { v: '1' }), 'other.yaml': '' }, CMS, 'one.yaml');
    const start = sink.events.length;
    await dir.write('other.yaml', configMap('other', 'ns'));
    await dir.write('one.yaml', configMap('one', 'ns', { v: '2' }));
    await sink.waitFor((s) => s.events.length > start, 'update');
    await rm(join(dir.root, 'one.yaml'));
    await sink.waitFor((s) => s.ids().length === 0, 'delete');
    assert.deepEqual(sink.summary(start), ['update ns/one', 'delete ns/one']);
  });
});

/** The system clock, counting its live timers to prove none is left behind. */
class CountingClock implements Clock {
  readonly live = new Set<unknown>();
  readonly waiters = new Waiters();
  now(): number {
    return Date.now();
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const handle = setTimeout(() => {
      this.live.delete(handle);
      callback();
    }, ms);
    this.live.add(handle);
    this.waiters.notify();
    return handle;
  }
  clearTimeout(handle: unknown): void {
    this.live.delete(handle);
    clearTimeout(handle as NodeJS.Timeout);
  }
}

describe('FilesSource.stop', () => {
  test('leaves no file watcher or timer of its own running, and calls no sink afterwards', async (t) => {
    const dir = await tempFolder();
    t.after(dir.remove);
    await dir.write('a.yaml', configMap('a', 'ns'));
    const watchers = fileWatchers;
    const baseline = watchers();
    const clock = new CountingClock();
    const sink = new RecordingSink();
    const source = new FilesSource({ path: dir.root, watch: true, debounceMs: 10_000, resources: CMS, logger: captureLogger().logger, clock });
    await source.start(new Map([['cms', sink]]));
    assert.ok(watchers() > baseline, 'watching holds file watchers');
    await dir.write('a.yaml', configMap('a', 'ns', { v: 'pending' }));
    await clock.waiters.until(() => clock.live.size > 0, 'the change to be noticed');
    await source.stop();
    assert.equal(clock.live.size, 0, 'no debounce timer is left');
    // fs.watch handles finish closing on a later tick of the event loop.
    await eventually(() => watchers() === baseline, 'file watchers to close');
    assert.deepEqual(sink.summary(), ['replace', 'synced'], 'the pending change is never delivered');
  });
});

describe('FilesSource limits', () => {
  test('refuses a file over limits.max_file_size with an error naming both sizes, keeping the objects it had and running on', async (t) => {
    const limits = { maxObjectBytes: 1_000_000, maxDepth: 100, maxFileBytes: 2_048 };
    const { dir, sink, errors, batchTouching } = await watching(t, { 'a.yaml': configMap('a', 'ns'), 'b.yaml': configMap('b', 'ns') }, CMS, undefined, limits);
    assert.deepEqual([...sink.contents.keys()].sort(), ['ns/a', 'ns/b']);
    const grown = batchTouching('a.yaml');
    await dir.write('a.yaml', configMap('a', 'ns', { big: 'x'.repeat(4_000) }));
    await grown;
    assert.match(errors.at(-1)?.message ?? '', /a\.yaml: the file is [\d.]+ KiB, over limits\.max_file_size \(2 KiB\); it is not read$/);
    assert.deepEqual(sink.contents.get('ns/a')?.data, {}, 'the last good version stays');
    const later = batchTouching('c.yaml');
    await dir.write('c.yaml', configMap('c', 'ns'));
    await later;
    assert.deepEqual([...sink.contents.keys()].sort(), ['ns/a', 'ns/b', 'ns/c'], 'the source goes on');
  });
});
