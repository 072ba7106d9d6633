import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Debouncer, type Timers } from '../../../src/watcher/files/debouncer.ts';

/** Timers driven by hand: advance(ms) fires what is due, in order. */
class ManualTimers implements Timers {
  now = 0;
  #next = 1;
  readonly pending = new Map<number, { at: number; callback: () => void }>();
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#next++;
    this.pending.set(id, { at: this.now + ms, callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.pending.delete(due[0]);
      this.now = due[1].at;
      due[1].callback();
    }
    this.now = until;
  }
}

function setup(quietMs = 100, maxWaitMs = 1000) {
  const timers = new ManualTimers();
  const fired: number[] = [];
  const debouncer = new Debouncer({ quietMs, maxWaitMs, timers, action: () => fired.push(timers.now) });
  return { timers, fired, debouncer };
}

describe('Debouncer', () => {
  test('runs the action once, a quiet period after the last poke of a burst', () => {
    const { timers, fired, debouncer } = setup();
    debouncer.poke();
    timers.advance(50);
    debouncer.poke();
    timers.advance(50);
    debouncer.poke();
    assert.equal(debouncer.pending, true);
    timers.advance(99);
    assert.deepEqual(fired, []);
    timers.advance(1);
    assert.deepEqual(fired, [200]);
    assert.equal(debouncer.pending, false);
    assert.equal(timers.pending.size, 0, 'no timer is left behind');
  });

  test('runs the action at the max wait while pokes keep coming', () => {
    const { timers, fired, debouncer } = setup(100, 300);
    for (let i = 0; i < 10; i++) {
      debouncer.poke();
      timers.advance(50);
    }
    assert.deepEqual(fired, [300]);
  });

  test('starts a new burst after the action', () => {
    const { timers, fired, debouncer } = setup();
    debouncer.poke();
    timers.advance(100);
    debouncer.poke();
    timers.advance(100);
    assert.deepEqual(fired, [100, 200]);
  });

  test('cancel drops the scheduled action and clears every timer', () => {
    const { timers, fired, debouncer } = setup();
    debouncer.poke();
    debouncer.cancel();
    timers.advance(5000);
    assert.deepEqual(fired, []);
    assert.equal(timers.pending.size, 0);
  });
});
