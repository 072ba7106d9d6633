import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/k8s.ts';
import { clusterSinks } from '../../src/watcher/cluster-sinks.ts';
import { RecordingSink } from './kubernetes/support/recording-sink.ts';

function cm(name: string, uid: string, resourceVersion: string): KubeObject {
  return { metadata: { namespace: 'ns', name, uid, resourceVersion } };
}

describe('clusterSinks', () => {
  test('a relist in one cluster becomes the adds, updates and deletes of that cluster only', () => {
    const target = new RecordingSink();
    const sinks = clusterSinks(target, ['a', 'b']);
    sinks.get('a')!.replace([cm('x', 'u1', '1'), cm('y', 'u2', '1')]);
    sinks.get('b')!.replace([cm('x', 'u9', '1')]);
    target.calls.length = 0;
    sinks.get('a')!.replace([cm('x', 'u1', '1'), cm('y', 'u3', '5'), cm('z', 'u4', '1')]);
    assert.deepEqual(target.calls, [
      { op: 'delete', id: 'a|ns/y', rv: undefined },
      { op: 'add', id: 'a|ns/y', rv: '5' },
      { op: 'add', id: 'a|ns/z', rv: '1' },
    ]);
    sinks.get('a')!.replace([]);
    assert.deepEqual([...target.objects.keys()], ['b|ns/x']);
  });

  test('the shared sink hears synced once every cluster has synced', () => {
    const target = new RecordingSink();
    const sinks = clusterSinks(target, ['a', 'b']);
    sinks.get('a')!.synced();
    sinks.get('a')!.synced();
    assert.equal(target.syncedCount, 0);
    sinks.get('b')!.synced();
    assert.equal(target.syncedCount, 1);
  });

  test('with a single cluster, objects are stamped and replace is handed through', () => {
    const target = new RecordingSink();
    const sink = clusterSinks(target, ['only']).get('only')!;
    sink.replace([cm('x', 'u1', '1')]);
    sink.update(cm('x', 'u1', '2'));
    assert.deepEqual(target.calls.map((c) => c.op), ['replace', 'update']);
    assert.equal(target.objects.get('only|ns/x')?.metadata.cluster, 'only');
  });
});
