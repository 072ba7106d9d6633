import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Debouncer } from '../../src/time/debouncer.ts';
import { FakeClock } from '../support/fake-clock.ts';

function setup(quietMs: number, maxWaitMs: number) {
  const clock = new FakeClock();
  const fired: number[] = [];
  const debouncer = new Debouncer({ quietMs, maxWaitMs, clock }, () => fired.push(clock.now()));
  /** Triggers `count` times, `everyMs` apart, advancing the clock after each. */
  const churn = (count: number, everyMs: number): void => {
    for (let i = 0; i < count; i++) {
      debouncer.trigger();
      clock.advance(everyMs);
    }
  };
  return { clock, fired, debouncer, churn };
}

describe('Debouncer', () => {
  test('fires once, the quiet period after the last trigger; pending until then, leaving no timer behind', () => {
    const { clock, fired, debouncer } = setup(200, 2000);
    debouncer.trigger();
    clock.advance(150);
    debouncer.trigger();
    clock.advance(150);
    debouncer.trigger();
    assert.equal(debouncer.pending, true);
    clock.advance(199);
    assert.deepEqual(fired, []);
    clock.advance(1);
    assert.deepEqual(fired, [500]);
    assert.equal(debouncer.pending, false);
    assert.equal(clock.pending, 0, 'no timer is left behind');
    clock.advance(5000);
    assert.deepEqual(fired, [500], 'no second fire without a new trigger');
  });

  test('fires at max wait under constant churn, once per max wait', () => {
    const { fired, churn } = setup(200, 1000);
    churn(15, 100);
    assert.deepEqual(fired, [1000]);
  });

  test('fires at max wait when triggers keep coming at less than the quiet period', () => {
    const { fired, churn } = setup(100, 300);
    churn(10, 50);
    assert.deepEqual(fired, [300]);
  });

  test('fires a max wait equal to the quiet period after the first trigger, however many follow', () => {
    const { fired, churn } = setup(100, 100);
    churn(10, 30);
    assert.deepEqual(fired, [100, 220], 'bursts began at 0 and 120');
  });

  test('starts a new burst with the first trigger after firing', () => {
    const { fired, churn } = setup(100, 1000);
    churn(2, 100);
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
