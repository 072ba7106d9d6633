import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/k8s.ts';
import { SinkFanout } from '../../src/watcher/fanout.ts';
import { RecordingSink } from './files/helpers.ts';

const cm = (name: string): KubeObject => ({ metadata: { namespace: 'ns', name } });

describe('SinkFanout', () => {
  test('delivers every call to every member, the same object to each', () => {
    const fanout = new SinkFanout();
    const [a, b] = [new RecordingSink(), new RecordingSink()];
    assert.equal(fanout.attach(a), false);
    assert.equal(fanout.attach(b), false);
    const obj = cm('x');
    fanout.replace([obj]);
    fanout.synced();
    fanout.add(cm('y'));
    fanout.update(cm('y'));
    fanout.delete(cm('y'));
    for (const sink of [a, b]) assert.deepEqual(sink.summary(), ['replace', 'synced', 'add ns/y', 'update ns/y', 'delete ns/y']);
    assert.equal(a.contents.get('ns/x'), b.contents.get('ns/x'));
    assert.deepEqual([fanout.isSynced(a), fanout.isSynced(b)], [true, true]);
  });

  test('a member joining after the list needs a list of its own, and is synced once it gets one', () => {
    const fanout = new SinkFanout();
    const first = new RecordingSink();
    fanout.attach(first);
    fanout.replace([cm('x')]);
    fanout.synced();
    const late = new RecordingSink();
    assert.equal(fanout.attach(late), true, 'the source must list again');
    fanout.add(cm('y'));
    assert.equal(fanout.isSynced(late), false, 'events alone do not sync it');
    fanout.replace([cm('x'), cm('y')]);
    assert.equal(fanout.isSynced(late), true);
    assert.deepEqual(late.summary(), ['add ns/y', 'replace', 'synced']);
    assert.deepEqual(first.summary(), ['replace', 'synced', 'add ns/y', 'replace'], 'the first member is not told synced twice');
  });

  test('a member that joins before the source synced is synced with the others', () => {
    const fanout = new SinkFanout();
    const [a, b] = [new RecordingSink(), new RecordingSink()];
    fanout.attach(a);
    fanout.replace([]);
    assert.equal(fanout.attach(b), true);
    fanout.replace([cm('x')]);
    fanout.synced();
    assert.deepEqual(b.summary(), ['replace', 'synced']);
    assert.deepEqual(a.summary(), ['replace', 'replace', 'synced']);
  });

  test('a detached member hears nothing more', () => {
    const fanout = new SinkFanout();
    const [a, b] = [new RecordingSink(), new RecordingSink()];
    fanout.attach(a);
    fanout.attach(b);
    fanout.detach(a);
    fanout.add(cm('x'));
    assert.deepEqual([a.summary(), b.summary()], [[], ['add ns/x']]);
    assert.equal(fanout.size, 1);
  });

  test('a member that throws does not keep the others from the call; the first error is rethrown', () => {
    const fanout = new SinkFanout();
    const failing = new RecordingSink();
    failing.add = () => {
      throw new Error('broken sink');
    };
    const fine = new RecordingSink();
    fanout.attach(failing);
    fanout.attach(fine);
    assert.throws(() => fanout.add(cm('x')), /broken sink/);
    assert.deepEqual(fine.summary(), ['add ns/x']);
  });
});
