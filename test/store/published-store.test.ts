import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/k8s.ts';
import { buildStore, createDefaultRegistry } from '../../src/controller/registry.ts';
import type { JournalEntry } from '../../src/store/change-journal.ts';
import { PublishedStore, isPublishedStore } from '../../src/store/published-store.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { runStoreContract } from './contract.ts';
import { watchedResource } from '../support/builders.ts';

runStoreContract('PublishedStore', (options) => new PublishedStore(options));
runStoreContract('PublishedStore with an open journal', (options) => {
  const store = new PublishedStore(options);
  store.openJournal();
  return store;
});

function obj(namespace: string, name: string, extra: Record<string, unknown> = {}): KubeObject {
  return { metadata: { namespace, name, ...extra } };
}

/** `ns/name` and what happened, for readable assertions. */
function states(entries: readonly JournalEntry[]): string[] {
  return entries.map((e) => `${e.namespace}/${e.name} ${e.deleted ? 'deleted' : `rv ${e.obj.metadata.resourceVersion ?? '-'}`}`);
}

describe('PublishedStore', () => {
  test('the etcd backend builds a PublishedStore, a full store templates read as usual', () => {
    const store = buildStore(createDefaultRegistry(), watchedResource('services', { kind: 'Service', store: 'etcd' }));
    assert.ok(isPublishedStore(store));
    assert.ok(store instanceof MemoryStore);
    assert.equal(isPublishedStore(new MemoryStore({ name: 'x', keyCount: 1 })), false);
  });

  test('records nothing while no journal is open', () => {
    const store = new PublishedStore({ name: 'things', keyCount: 2 });
    store.add(obj('ns', 'a'), ['ns', 'a']);
    const journal = store.openJournal();
    assert.equal(journal.size, 0);
    store.delete(obj('ns', 'a'));
    assert.deepEqual(states(journal.peek(10)), ['ns/a deleted']);
  });

  test('coalesces repeated changes of one object into its latest state, keeping its first position', () => {
    const store = new PublishedStore({ name: 'things', keyCount: 2 });
    const journal = store.openJournal();
    store.add(obj('ns', 'a', { resourceVersion: '1' }), ['ns', 'a']);
    store.add(obj('ns', 'b', { resourceVersion: '2' }), ['ns', 'b']);
    store.update(obj('ns', 'a', { resourceVersion: '3' }), ['ns', 'a']);
    store.delete(obj('ns', 'b'));
    store.add(obj('ns', 'b', { resourceVersion: '4' }), ['ns', 'b']);
    store.delete(obj('ns', 'a'));
    assert.deepEqual(states(journal.peek(10)), ['ns/a deleted', 'ns/b rv 4']);
  });

  test('keeps the same namespace/name of two clusters apart', () => {
    const store = new PublishedStore({ name: 'things', keyCount: 2 });
    const journal = store.openJournal();
    store.add(obj('ns', 'a', { cluster: 'east', resourceVersion: '1' }), ['ns', 'a']);
    store.add(obj('ns', 'a', { cluster: 'west', resourceVersion: '2' }), ['ns', 'a']);
    store.update(obj('ns', 'a', { cluster: 'east', resourceVersion: '3' }), ['ns', 'a']);
    const pending = journal.peek(10);
    assert.deepEqual(pending.map((e) => `${e.obj.metadata.cluster} ${e.obj.metadata.resourceVersion}`), ['east 3', 'west 2']);
  });

  test('hands over the stored, frozen object itself, not a copy', () => {
    const store = new PublishedStore({ name: 'things', keyCount: 2 });
    const journal = store.openJournal();
    store.add(obj('ns', 'a'), ['ns', 'a']);
    const [entry] = journal.peek(1);
    assert.equal(entry?.obj, store.lookup('ns', 'a'));
    assert.ok(Object.isFrozen(entry?.obj));
  });

  test('records only changes of the contents: an unchanged relist, an absent delete and an empty clear record nothing', () => {
    const store = new PublishedStore({ name: 'things', keyCount: 2 });
    const a = obj('ns', 'a', { uid: 'u1', resourceVersion: '1' });
    store.add(a, ['ns', 'a']);
    const journal = store.openJournal();
    store.replace([{ obj: obj('ns', 'a', { uid: 'u1', resourceVersion: '1' }), key: ['ns', 'a'] }]);
    store.delete(obj('ns', 'missing'));
    store.delete(obj('ns', 'a', { uid: 'older' }));
    assert.equal(journal.size, 0);
    new PublishedStore({ name: 'empty', keyCount: 1 }).clear();
  });

  test('records what a replace changed: upserts, and deletes of the objects it dropped', () => {
    const store = new PublishedStore({ name: 'things', keyCount: 2 });
    store.add(obj('ns', 'a', { uid: 'u1', resourceVersion: '1' }), ['ns', 'a']);
    store.add(obj('ns', 'b', { uid: 'u2', resourceVersion: '1' }), ['ns', 'b']);
    const journal = store.openJournal();
    store.replace([
      { obj: obj('ns', 'a', { uid: 'u1', resourceVersion: '1' }), key: ['ns', 'a'] },
      { obj: obj('ns', 'c', { uid: 'u3', resourceVersion: '5' }), key: ['ns', 'c'] },
    ]);
    assert.deepEqual(states(journal.peek(10)).sort(), ['ns/b deleted', 'ns/c rv 5']);
  });

  test('records a delete of every object on clear, carrying the last version held', () => {
    const store = new PublishedStore({ name: 'things', keyCount: 2 });
    store.add(obj('ns', 'a', { resourceVersion: '7' }), ['ns', 'a']);
    const journal = store.openJournal();
    store.clear();
    assert.deepEqual(states(journal.peek(10)), ['ns/a deleted']);
    assert.equal(journal.peek(1)[0]?.obj.metadata.resourceVersion, '7');
  });

  test('an acknowledged entry leaves the journal unless the object changed again since it was peeked', () => {
    const store = new PublishedStore({ name: 'things', keyCount: 2 });
    const journal = store.openJournal();
    store.add(obj('ns', 'a', { resourceVersion: '1' }), ['ns', 'a']);
    store.add(obj('ns', 'b', { resourceVersion: '1' }), ['ns', 'b']);
    const batch = journal.peek(10);
    store.add(obj('ns', 'b', { resourceVersion: '2' }), ['ns', 'b']);
    journal.acknowledge(batch);
    assert.deepEqual(states(journal.peek(10)), ['ns/b rv 2']);
  });

  test('peek returns at most the limit, oldest first, and tells its listener of every change', () => {
    const store = new PublishedStore({ name: 'things', keyCount: 2 });
    const journal = store.openJournal();
    let told = 0;
    journal.onRecord(() => told++);
    for (const name of ['a', 'b', 'c']) store.add(obj('ns', name), ['ns', name]);
    assert.deepEqual(states(journal.peek(2)), ['ns/a rv -', 'ns/b rv -']);
    assert.equal(told, 3);
  });

  test('a closed journal records nothing more, and opening another starts empty', () => {
    const store = new PublishedStore({ name: 'things', keyCount: 2 });
    const first = store.openJournal();
    store.add(obj('ns', 'a'), ['ns', 'a']);
    store.closeJournal(first);
    store.add(obj('ns', 'b'), ['ns', 'b']);
    assert.equal(first.size, 1);
    const second = store.openJournal();
    assert.equal(second.size, 0);
    store.closeJournal(first);
    store.delete(obj('ns', 'a'));
    assert.equal(second.size, 1);
  });
});
