/**
 * The Source contract (src/watcher/index.ts): one suite every source runs, through the
 * interface only, with one watched resource of ConfigMaps.
 *
 * - start() delivers the objects present at start with one replace(), then synced() once;
 *   status() reports the resource synced.
 * - Changes made after start arrive as add, update and delete; after a relist, replace()
 *   holds exactly the current objects.
 * - stop() leaves nothing running: the process's active handles and resources (timers,
 *   sockets, file watchers) return to what they were before the source was built, and
 *   the sink hears nothing afterwards.
 *
 * A source that cannot make some change after start declares it in its subject's
 * `cannot` (the table below); the suite then checks that it indeed never delivers that
 * kind of change after start, instead of skipping.
 *
 * | source                       | add, update, delete after start | replace after start               |
 * | ---------------------------- | ------------------------------- | --------------------------------- |
 * | files (FilesSource)          | a manifest written or removed   | never: a batch delivers the difference |
 * | Kubernetes (test API server) | created, updated, deleted there | relist after a 410 on the watch   |
 * | etcd (test/support/etcd.ts)  | a record written or deleted     | relist after a compaction missed  |
 * | template-test fixtures       | never: a fixed set of objects   | never                             |
 *
 * Usage, in a test file: runSourceContract({ name, cannot, prepare }) (see SourceSubject).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/k8s.ts';
import type { Source } from '../../src/watcher/index.ts';
import { eventually } from '../support/waiters.ts';
import { RecordingSink, type SinkEvent } from './files/helpers.ts';

/** The watched resource every subject serves: ConfigMaps, named "configmaps". */
export const RESOURCE_NAME = 'configmaps';

/** A kind of change a source delivers after start. */
export type ChangeKind = 'add' | 'update' | 'delete' | 'replace';

/** The world a source reads (a folder, an API server, etcd), seeded, and how to change it. */
export interface SourceWorld {
  /** Builds the source over this world, watching the resource RESOURCE_NAME. */
  source(): Source;
  /** Creates `obj` in the world. */
  add?(obj: KubeObject): Promise<void>;
  /** Replaces the object of the same namespace/name with `obj`. */
  update?(obj: KubeObject): Promise<void>;
  /** Removes the object `namespace/name`. */
  delete?(namespace: string, name: string): Promise<void>;
  /** Makes the source list again (its watch lost beyond resuming). */
  relist?(): Promise<void>;
  /** Tears the world down (the source is stopped already). */
  close(): Promise<void>;
}

/** One source implementation under the contract. */
export interface SourceSubject {
  name: string;
  /** Why the source cannot deliver a kind of change after start; every other kind it can. */
  cannot: Partial<Record<ChangeKind, string>>;
  /** Starts a world holding `objects` (what a source may need: a server, a folder). */
  prepare(objects: KubeObject[]): Promise<SourceWorld>;
}

/** A fresh ConfigMap: every call a new object, as a source would be handed. */
export function configMap(name: string, value = '1'): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'ns', name }, data: { v: value } };
}

/** "namespace/name" of objects, sorted. */
function names(objects: Iterable<KubeObject>): string[] {
  return [...objects].map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();
}

/** The change events a sink heard after the initial replace and synced. */
function later(sink: RecordingSink): SinkEvent[] {
  return sink.events.slice(2);
}

const syncedCount = (sink: RecordingSink): number => sink.events.filter((e) => e.type === 'synced').length;

/** The data.v of the object `name` the sink holds. */
function valueIn(sink: RecordingSink, name: string): unknown {
  const obj = [...sink.contents.values()].find((o) => o.metadata.name === name);
  return (obj?.data as { v?: unknown } | undefined)?.v;
}

/** A started source over a prepared world, and its sink; `finish` stops and tears down. */
interface Running {
  world: SourceWorld;
  source: Source;
  sink: RecordingSink;
  finish(): Promise<void>;
}

/** Prepares a world of `objects`, starts a source over it, and waits for synced. */
async function started(subject: SourceSubject, objects: KubeObject[]): Promise<Running> {
  const world = await subject.prepare(objects);
  const source = world.source();
  const sink = new RecordingSink();
  const finish = async (): Promise<void> => {
    try {
      await source.stop();
    } finally {
      await world.close();
    }
  };
  try {
    await source.start(new Map([[RESOURCE_NAME, sink]]));
    await sink.waitFor((s) => syncedCount(s) === 1, 'the source synced');
  } catch (err) {
    await finish();
    throw err;
  }
  return { world, source, sink, finish };
}

/** Counts of the process's active handles and resources, by type. */
function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/** The types with more active resources now than in `baseline`, as "Type +n"; '' when none. */
function leftRunning(baseline: Map<string, number>): string {
  return [...activeResources()]
    .filter(([type, count]) => count > (baseline.get(type) ?? 0))
    .map(([type, count]) => `${type} +${count - (baseline.get(type) ?? 0)}`)
    .join(', ');
}

/** Runs every Source guarantee against `subject`. */
export function runSourceContract(subject: SourceSubject, options: { skip?: string | false } = {}): void {
  describe(`${subject.name} (Source contract)`, { skip: options.skip ?? false }, () => {
    initialList(subject);
    changes(subject);
    relist(subject);
    stopping(subject);
    for (const [kind, reason] of Object.entries(subject.cannot)) limitation(subject, kind as ChangeKind, reason);
  });
}

function initialList(subject: SourceSubject): void {
  test('delivers the objects present at start with one replace, then synced once; status says synced', async () => {
    const { source, sink, finish } = await started(subject, [configMap('a'), configMap('b')]);
    try {
      assert.deepEqual(sink.events.map((e) => e.type), ['replace', 'synced']);
      const [first] = sink.events;
      assert.ok(first?.type === 'replace');
      assert.deepEqual(names(first.objs), ['ns/a', 'ns/b']);
      assert.deepEqual(source.status().map((s) => [s.resource, s.synced]), [[RESOURCE_NAME, true]]);
    } finally {
      await finish();
    }
  });
}

function changes(subject: SourceSubject): void {
  if (subject.cannot.add === undefined) {
    test('delivers an object created after start as an add', async () => {
      const { world, sink, finish } = await started(subject, [configMap('a')]);
      try {
        await world.add!(configMap('b'));
        await sink.waitFor((s) => s.ids().some((id) => id.endsWith('ns/b')), 'the add of ns/b');
        assert.deepEqual(later(sink).map((e) => e.type), ['add']);
        assert.equal(syncedCount(sink), 1, 'synced stays once');
      } finally {
        await finish();
      }
    });
  }
  if (subject.cannot.update === undefined) {
    test('delivers a change after start as an update with a new resourceVersion', async () => {
      const { world, sink, finish } = await started(subject, [configMap('a', '1')]);
      try {
        const before = [...sink.contents.values()][0]!;
        await world.update!(configMap('a', '2'));
        await sink.waitFor((s) => valueIn(s, 'a') === '2', 'the update of ns/a');
        const [event] = later(sink);
        assert.ok(event?.type === 'update', `an update, got ${event?.type}`);
        assert.notEqual(event.obj.metadata.resourceVersion, before.metadata.resourceVersion);
        assert.equal(event.obj.metadata.uid, before.metadata.uid);
      } finally {
        await finish();
      }
    });
  }
  if (subject.cannot.delete === undefined) {
    test('delivers a removal after start as a delete of that object only', async () => {
      const { world, sink, finish } = await started(subject, [configMap('a'), configMap('b')]);
      try {
        await world.delete!('ns', 'a');
        await sink.waitFor((s) => s.contents.size === 1, 'the delete of ns/a');
        assert.deepEqual(later(sink).map((e) => (e.type === 'delete' ? `delete ${names([e.obj])}` : e.type)), ['delete ns/a']);
        assert.deepEqual(names(sink.contents.values()), ['ns/b']);
      } finally {
        await finish();
      }
    });
  }
}

function relist(subject: SourceSubject): void {
  if (subject.cannot.replace !== undefined) return;
  test('after a relist, replace holds exactly the current objects', async () => {
    const { world, sink, finish } = await started(subject, [configMap('a'), configMap('b')]);
    try {
      await world.relist!();
      await sink.waitFor((s) => later(s).some((e) => e.type === 'replace'), 'a replace after the relist');
      const replace = later(sink).find((e) => e.type === 'replace');
      assert.ok(replace?.type === 'replace');
      assert.deepEqual(names(replace.objs), ['ns/a', 'ns/b']);
      assert.equal(syncedCount(sink), 1, 'synced stays once');
    } finally {
      await finish();
    }
  });
}

function stopping(subject: SourceSubject): void {
  test('stop leaves nothing running: active handles and resources return to where they were', async () => {
    const world = await subject.prepare([configMap('a')]);
    try {
      const baseline = activeResources();
      const source = world.source();
      const sink = new RecordingSink();
      await source.start(new Map([[RESOURCE_NAME, sink]]));
      await sink.waitFor((s) => syncedCount(s) === 1, 'the source synced');
      if (world.add !== undefined) {
        await world.add(configMap('b'));
        await sink.waitFor((s) => s.contents.size === 2, 'the add of ns/b');
      }
      await source.stop();
      const heard = sink.events.length;
      try {
        await eventually(() => leftRunning(baseline) === '', 'every handle the source opened is closed');
      } catch (err) {
        throw new Error(`${(err as Error).message}; still open: ${leftRunning(baseline)}`, { cause: err });
      }
      assert.equal(sink.events.length, heard, 'the sink hears nothing after stop');
    } finally {
      await world.close();
    }
  });
}

function limitation(subject: SourceSubject, kind: ChangeKind, reason: string): void {
  const article = kind === 'add' || kind === 'update' ? 'an' : 'a';
  test(`never delivers ${article} ${kind} after start: ${reason}`, async () => {
    const { world, sink, finish } = await started(subject, [configMap('a'), configMap('b')]);
    try {
      // Every change the source can deliver, awaited, so there was occasion for the other kind.
      await world.add?.(configMap('c'));
      if (world.add) await sink.waitFor((s) => s.contents.size === 3, 'the add of ns/c');
      await world.update?.(configMap('a', '2'));
      if (world.update) await sink.waitFor((s) => valueIn(s, 'a') === '2', 'the update of ns/a');
      await world.delete?.('ns', 'b');
      if (world.delete) await sink.waitFor((s) => valueIn(s, 'b') === undefined, 'the delete of ns/b');
    } finally {
      await finish();
    }
    assert.deepEqual(later(sink).filter((e) => e.type === kind), []);
  });
}
