/**
 * The WatchSink contract (src/watcher/index.ts): one suite every sink a source delivers
 * into runs, through the interface only; what the sink holds is read back through the
 * subject's `contents()`.
 *
 * Usage, in a test file: runWatchSinkContract('Indexer', () => ({ sink, contents, changes, synced }));
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { objectId, type KubeObject } from '../../src/k8s.ts';
import type { WatchSink } from '../../src/watcher/index.ts';

/** One sink under test and what can be seen of it. */
export interface WatchSinkSubject {
  readonly sink: WatchSink;
  /** The objects the sink holds now (those it was given, as it keeps them). */
  contents(): readonly KubeObject[];
  /** A count that moves whenever the contents change (a store's modCount). */
  changes(): number;
  /** Whether the sink has heard synced() (for a shared sink: the part this sink feeds). */
  synced(): boolean;
  /** Objects the sink must never touch (another cluster's, beside it in a shared store). */
  bystanders?(): readonly KubeObject[];
}

/** Builds a fresh subject for one test. */
export type MakeWatchSink = () => WatchSinkSubject;

/** A fresh ConfigMap-like object: every call a new one, as a source hands over. */
export function object(namespace: string, name: string, uid: string, resourceVersion: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name, uid, resourceVersion }, data: { v: resourceVersion } };
}

/** "namespace/name uid rv" of each held object, sorted: what a test compares. */
function held(subject: WatchSinkSubject): string[] {
  return subject
    .contents()
    .map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name} ${o.metadata.uid} ${o.metadata.resourceVersion}`)
    .sort();
}

/** Runs `body` on a fresh subject, then checks the bystanders were left as they were. */
function withSubject(make: MakeWatchSink, body: (subject: WatchSinkSubject) => void): void {
  const subject = make();
  const before = subject.bystanders?.().map((o) => `${objectId(o)} ${o.metadata.resourceVersion}`);
  body(subject);
  const after = subject.bystanders?.().map((o) => `${objectId(o)} ${o.metadata.resourceVersion}`);
  assert.deepEqual(after, before, 'objects beside the sink are untouched');
}

/** Runs every WatchSink guarantee against subjects built by `make`. */
export function runWatchSinkContract(name: string, make: MakeWatchSink): void {
  describe(`${name} (WatchSink contract)`, () => {
    test('add makes an object present, update replaces it, delete removes it', () =>
      withSubject(make, (s) => {
        s.sink.add(object('ns', 'a', 'u1', '1'));
        assert.deepEqual(held(s), ['ns/a u1 1']);
        s.sink.update(object('ns', 'a', 'u1', '2'));
        assert.deepEqual(held(s), ['ns/a u1 2']);
        s.sink.delete(object('ns', 'a', 'u1', '2'));
        assert.deepEqual(held(s), []);
      }));

    test('delete removes only that object, not its namespace- or name-mates', () =>
      withSubject(make, (s) => {
        for (const [ns, name] of [['ns', 'a'], ['ns', 'b'], ['other', 'a']] as const) s.sink.add(object(ns, name, `u-${ns}-${name}`, '1'));
        s.sink.delete(object('ns', 'a', 'u-ns-a', '1'));
        assert.deepEqual(held(s), ['ns/b u-ns-b 1', 'other/a u-other-a 1']);
      }));

    test('delete needs only the name, namespace and uid of the object', () =>
      withSubject(make, (s) => {
        s.sink.add(object('ns', 'a', 'u1', '1'));
        s.sink.delete({ metadata: { namespace: 'ns', name: 'a', uid: 'u1' } });
        assert.deepEqual(held(s), []);
      }));

    test('replace makes the contents exactly the list: absent objects are deleted, new ones added', () =>
      withSubject(make, (s) => {
        s.sink.add(object('ns', 'a', 'ua', '1'));
        s.sink.add(object('ns', 'b', 'ub', '1'));
        s.sink.replace([object('ns', 'b', 'ub', '2'), object('ns', 'c', 'uc', '1')]);
        assert.deepEqual(held(s), ['ns/b ub 2', 'ns/c uc 1']);
        s.sink.replace([]);
        assert.deepEqual(held(s), []);
      }));

    test('replace leaves an object alone when its uid and resourceVersion are unchanged', () =>
      withSubject(make, (s) => {
        s.sink.replace([object('ns', 'a', 'ua', '1'), object('ns', 'b', 'ub', '1')]);
        const before = s.changes();
        s.sink.replace([object('ns', 'a', 'ua', '1'), object('ns', 'b', 'ub', '1')]);
        assert.equal(s.changes(), before, 'an unchanged list changes nothing');
        assert.deepEqual(held(s), ['ns/a ua 1', 'ns/b ub 1']);
      }));

    test('replace puts an object whose uid changed in place of the old one', () =>
      withSubject(make, (s) => {
        s.sink.replace([object('ns', 'a', 'old', '1')]);
        s.sink.replace([object('ns', 'a', 'new', '1')]);
        assert.deepEqual(held(s), ['ns/a new 1']);
      }));

    test('synced is heard once the initial list was delivered', () =>
      withSubject(make, (s) => {
        s.sink.replace([object('ns', 'a', 'ua', '1')]);
        assert.equal(s.synced(), false);
        s.sink.synced();
        assert.equal(s.synced(), true);
        s.sink.add(object('ns', 'b', 'ub', '1'));
        assert.deepEqual(held(s), ['ns/a ua 1', 'ns/b ub 1'], 'changes after synced are taken as before');
      }));
  });
}
