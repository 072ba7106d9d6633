import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/k8s.ts';
import {
  collectContents,
  diffContents,
  isUnchanged,
  type Duplicate,
  type PreparedObject,
  type ResourceContents,
} from '../../../src/watcher/files/resource-contents.ts';
import { canonicalJson } from '../../../src/watcher/files/synthetic-metadata.ts';

function prepared(name: string, file: string, data: Record<string, string> = {}, resources = ['cms'], namespace = 'ns'): PreparedObject {
  const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
  return { obj, content: canonicalJson(obj), file, line: 1, col: 1, resources };
}

const contents = (...objects: PreparedObject[]): ResourceContents =>
  new Map(objects.map((p) => [`${p.obj.metadata.namespace}/${p.obj.metadata.name}`, p]));

const names = (list: PreparedObject[]) => list.map((p) => p.obj.metadata.name);

describe('collectContents', () => {
  test('routes each object to every resource it belongs to', () => {
    const both = prepared('a', '/f/1.yaml', {}, ['cms', 'all']);
    const one = prepared('b', '/f/1.yaml', {}, ['all']);
    const result = collectContents(['cms', 'all', 'none'], [[both, one]], () => assert.fail('no duplicate'));
    assert.deepEqual([...result.get('cms')!.keys()], ['ns/a']);
    assert.deepEqual([...result.get('all')!.keys()], ['ns/a', 'ns/b']);
    assert.equal(result.get('none')!.size, 0);
  });

  test('lets the later file win a duplicate identity and reports both', () => {
    const first = prepared('a', '/f/1.yaml', { v: '1' });
    const second = prepared('a', '/f/2.yaml', { v: '2' });
    const duplicates: Duplicate[] = [];
    const result = collectContents(['cms'], [[first], [second]], (d) => duplicates.push(d));
    assert.equal(result.get('cms')!.get('ns/a'), second);
    assert.deepEqual(duplicates, [{ resource: 'cms', id: 'ns/a', kept: second, dropped: first }]);
  });

  test('treats the same name in two namespaces as two objects', () => {
    const result = collectContents(['cms'], [[prepared('a', '/f/1.yaml', {}, ['cms'], 'x'), prepared('a', '/f/1.yaml', {}, ['cms'], 'y')]], () =>
      assert.fail('no duplicate'),
    );
    assert.deepEqual([...result.get('cms')!.keys()].sort(), ['x/a', 'y/a']);
  });
});

describe('diffContents', () => {
  test('adds new identities, updates changed content and deletes missing ones, each sorted by name', () => {
    const current = contents(prepared('keep', '/1'), prepared('change', '/1', { v: '1' }), prepared('gone', '/1'), prepared('also-gone', '/1'));
    const next = contents(prepared('keep', '/1'), prepared('change', '/1', { v: '2' }), prepared('new-b', '/1'), prepared('new-a', '/1'));
    const changes = diffContents(current, next);
    assert.deepEqual(names(changes.added), ['new-a', 'new-b']);
    assert.deepEqual(names(changes.updated), ['change']);
    assert.deepEqual(names(changes.deleted), ['also-gone', 'gone']);
    assert.equal(changes.deleted[0], current.get('ns/also-gone'), 'deletes carry the object as last delivered');
  });

  test('sees an object moved to another file with the same content as unchanged', () => {
    const changes = diffContents(contents(prepared('a', '/f/1.yaml')), contents(prepared('a', '/f/2.yaml')));
    assert.equal(isUnchanged(changes), true);
  });

  test('sees an object moved to another file with new content as one update', () => {
    const changes = diffContents(contents(prepared('a', '/f/1.yaml', { v: '1' })), contents(prepared('a', '/f/2.yaml', { v: '2' })));
    assert.deepEqual([names(changes.added), names(changes.updated), names(changes.deleted)], [[], ['a'], []]);
  });
});
