import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../src/k8s.ts';
import { Indexer } from '../../src/indexer/index.ts';
import { silentLogger } from '../../src/log.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import type { WatchError } from '../../src/watcher/index.ts';
import { LimitedSink } from '../../src/watcher/limited-sink.ts';
import { limitProblem } from '../../src/watcher/object-limits.ts';
import { watchedResource } from '../support/builders.ts';

const LIMITS = { maxObjectBytes: 10_000, maxDepth: 20 };

function configMap(name: string, data: unknown = {}, rv = '1'): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'ns', name, resourceVersion: rv }, data };
}

/** {a: {a: ... }} `levels` deep. */
function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

describe('limitProblem', () => {
  test('passes objects within the limits, names the bound an object crosses', () => {
    assert.equal(limitProblem(configMap('small', { key: 'x'.repeat(1_000) }), LIMITS), undefined);
    assert.equal(limitProblem(configMap('big', { key: 'x'.repeat(20_000) }), LIMITS), 'larger than limits.max_object_size (9.8 KiB) as JSON');
    assert.equal(limitProblem(configMap('many', { list: Array.from({ length: 5_000 }, () => 1) }), LIMITS), 'larger than limits.max_object_size (9.8 KiB) as JSON');
    assert.equal(limitProblem(configMap('deep', nested(25)), LIMITS), 'nested deeper than limits.max_depth (20 levels)');
    assert.equal(limitProblem(configMap('exactly', nested(17)), LIMITS), undefined, 'the object, data and 17 levels: 19 levels with the leaf');
  });

  test('checks a value nested 100,000 levels deep without overflowing the stack', () => {
    assert.match(limitProblem(nested(100_000), LIMITS) ?? '', /nested deeper/);
  });
});

describe('LimitedSink', () => {
  function setup(removeFields: string[] = []) {
    const store = new MemoryStore({ name: 'configmaps', keyCount: 2 });
    const indexer = new Indexer({ resource: watchedResource('configmaps', { kind: 'ConfigMap', removeFields }), store, logger: silentLogger() });
    const reports: WatchError[] = [];
    const sink = new LimitedSink('configmaps', indexer, LIMITS, (err) => reports.push(err));
    const names = () => store.list().map((o) => o.metadata.name);
    return { sink, reports, names };
  }

  test('leaves an object over the limits out of a replace and an add, reporting each version once', () => {
    const { sink, reports, names } = setup();
    sink.replace([configMap('a'), configMap('huge', { k: 'x'.repeat(20_000) }), configMap('deep', nested(30))]);
    sink.add(configMap('huge', { k: 'x'.repeat(20_000) }));
    sink.add(configMap('b'));
    assert.deepEqual(names(), ['a', 'b']);
    assert.deepEqual(reports.map((r) => r.message), [
      'watched resource configmaps: ConfigMap ns/huge refused: larger than limits.max_object_size (9.8 KiB) as JSON; it is left out',
      'watched resource configmaps: ConfigMap ns/deep refused: nested deeper than limits.max_depth (20 levels); it is left out',
    ]);
    assert.equal(reports[0]?.resource, 'configmaps');
  });

  test('an update that crosses a limit removes the object; a later version within them brings it back; deletes pass', () => {
    const { sink, reports, names } = setup();
    sink.replace([configMap('a'), configMap('b')]);
    sink.update(configMap('a', { k: 'x'.repeat(20_000) }, '2'));
    assert.deepEqual(names(), ['b'], 'the old version is not kept: it no longer exists');
    sink.update(configMap('a', { k: 'small' }, '3'));
    assert.deepEqual(names(), ['a', 'b']);
    sink.delete(configMap('b', nested(30)));
    assert.deepEqual(names(), ['a']);
    assert.equal(reports.length, 1);
  });

  test('checks what the indexer keeps: a field it removes may be deep or large, a kept one may not', () => {
    const { sink, reports, names } = setup(['metadata.managedFields']);
    const withManagedFields = (name: string, managed: unknown, data: unknown = {}): KubeObject => {
      const obj = configMap(name, data);
      obj.metadata.managedFields = [managed] as KubeObject['metadata']['managedFields'];
      return obj;
    };
    sink.replace([withManagedFields('deep-managed', nested(30)), withManagedFields('huge-managed', { f: 'x'.repeat(20_000) })]);
    sink.add(withManagedFields('deep-data', {}, nested(30)));
    assert.deepEqual(names(), ['deep-managed', 'huge-managed']);
    assert.deepEqual(reports.map((r) => r.message), [
      'watched resource configmaps: ConfigMap ns/deep-data refused: nested deeper than limits.max_depth (20 levels); it is left out',
    ]);
  });

  test('hands on what the sink behind keeps, and checks the whole object for a sink that keeps everything', () => {
    const received: KubeObject[] = [];
    const keepsAll = { add: (o: KubeObject) => received.push(o), update: () => {}, delete: () => {}, replace: () => {}, synced: () => {} };
    const reports: WatchError[] = [];
    const plain = new LimitedSink('configmaps', keepsAll, LIMITS, (err) => reports.push(err));
    const deepManaged = configMap('deep-managed');
    deepManaged.metadata.managedFields = [nested(30)] as KubeObject['metadata']['managedFields'];
    plain.add(deepManaged);
    assert.equal(received.length, 0, 'refused: the sink behind would keep the deep field');
    assert.equal(reports.length, 1);
    const indexer = new Indexer({ resource: watchedResource('configmaps', { kind: 'ConfigMap', removeFields: ['metadata.managedFields'] }), store: new MemoryStore({ name: 'configmaps', keyCount: 2 }), logger: silentLogger() });
    const stripping = new LimitedSink('configmaps', indexer, LIMITS, () => undefined);
    const original = structuredClone(deepManaged);
    assert.deepEqual(stripping.kept(deepManaged).metadata, { namespace: 'ns', name: 'deep-managed', resourceVersion: '1' });
    assert.deepEqual(deepManaged, original, 'the object handed over is not changed');
  });
});

