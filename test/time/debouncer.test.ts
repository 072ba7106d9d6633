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

  test('is pending from the first trigger of a burst until it fires, and leaves no timer behind', () => {
    const { clock, fired, debouncer } = setup(100, 1000);
    debouncer.trigger();
    clock.advance(50);
    debouncer.trigger();
    clock.advance(50);
    debouncer.trigger();
    assert.equal(debouncer.pending, true);
    clock.advance(99);
    assert.deepEqual(fired, []);
    clock.advance(1);
    assert.deepEqual(fired, [200]);
    assert.equal(debouncer.pending, false);
    assert.equal(clock.pending, 0, 'no timer is left behind');
  });

  test('fires at max wait under constant churn, once per max wait', () => {
    const { clock, fired, debouncer } = setup(200, 1000);
    for (let t = 0; t < 1500; t += 100) {
      debouncer.trigger();
      clock.advance(100);
    }
    assert.deepEqual(fired, [1000]);
  });

  test('fires at max wait when triggers keep coming at less than the quiet period', () => {
    const { clock, fired, debouncer } = setup(100, 300);
    for (let i = 0; i < 10; i++) {
      debouncer.trigger();
      clock.advance(50);
    }
    assert.deepEqual(fired, [300]);
  });

  test('fires a max wait equal to the quiet period after the first trigger, however many follow', () => {
    const { clock, fired, debouncer } = setup(100, 100);
    for (let i = 0; i < 10; i++) {
      debouncer.trigger();
      clock.advance(30);
    }
    assert.deepEqual(fired, [100, 220], 'bursts began at 0 and 120');
  });

  test('starts a new burst with the first trigger after firing', () => {
    const { clock, fired, debouncer } = setup(100, 1000);
    debouncer.trigger();
    clock.advance(100);
    debouncer.trigger();
    clock.advance(100);
    assert.deepEqual(fired, [100, 200]);
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
    assert.equal(debouncer.pending, false);
    assert.equal(clock.pending, 0);
    clock.advance(5000);
    assert.deepEqual(fired, []);
  });
});
