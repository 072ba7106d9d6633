import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Debouncer } from '../../src/time/debouncer.ts';
import { FakeClock } from '../support/fake-clock.ts';

function setup(quietMs: number, maxWaitMs: number) {
  const clock = new FakeClock();
  const fired: number[] = [];
  const debouncer = new Debouncer({ quietMs, maxWaitMs, clock }, () => fired.push(clock.now()));
  return { clock, fired, debouncer };
}

describe('Debouncer', () => {
  test('fires once after the quiet period following the last trigger', () => {
    const { clock, fired, debouncer } = setup(200, 2000);
    debouncer.trigger();
    clock.advance(150);
    debouncer.trigger();
    clock.advance(150);
    assert.deepEqual(fired, []);
    clock.advance(50);
    assert.deepEqual(fired, [350]);
    clock.advance(5000);
    assert.deepEqual(fired, [350], 'no second fire without a new trigger');
  });

  test('fires at max wait under constant churn', () => {
    const { clock, fired, debouncer } = setup(200, 1000);
    for (let t = 0; t < 1500; t += 100) {
      debouncer.trigger();
      clock.advance(100);
    }
    assert.equal(fired[0], 1000);
    assert.equal(fired.length, 1);
  });

  test('coalesces triggers within one tick when the quiet period is zero', () => {
    const { clock, fired, debouncer } = setup(0, 0);
    debouncer.trigger();
    debouncer.trigger();
    debouncer.trigger();
    clock.advance(0);
    assert.deepEqual(fired, [0]);
  });

  test('cancel drops a scheduled fire and leaves no timer behind', () => {
    const { clock, fired, debouncer } = setup(200, 1000);
    debouncer.trigger();
    debouncer.cancel();
    assert.equal(clock.pending, 0);
    clock.advance(5000);
    assert.deepEqual(fired, []);
  });
});
