import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from '../../src/time/backoff.ts';
import { RetryTimer } from '../../src/time/retry-timer.ts';
import { FakeClock } from '../support/fake-clock.ts';

function setup() {
  const clock = new FakeClock();
  const fired: number[] = [];
  const backoff = new Backoff({ initialMs: 1_000, capMs: 60_000, jitter: 'none' }, clock);
  const retry = new RetryTimer({ backoff, clock }, () => fired.push(clock.now()));
  return { clock, fired, retry };
}

describe('RetryTimer', () => {
  test('retries each failure the next backoff delay later: 1 s doubling to 60 s', () => {
    const { clock, fired, retry } = setup();
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const before = clock.now();
      retry.failed();
      clock.advance(60_000);
      delays.push(fired.at(-1)! - before);
    }
    assert.deepEqual(delays, [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
  });

  test('keeps one retry pending: a failure while one is scheduled changes nothing', () => {
    const { clock, fired, retry } = setup();
    retry.failed();
    clock.advance(500);
    retry.failed();
    assert.equal(clock.pending, 1);
    clock.advance(500);
    assert.deepEqual(fired, [1_000]);
    retry.failed();
    clock.advance(2_000);
    assert.deepEqual(fired, [1_000, 3_000], 'the second retry waited 2 s');
  });

  const endings = [
    { ending: 'succeeded', does: 'starts the backoff over', nextDelayMs: 1_000 },
    { ending: 'cancel', does: 'keeps the backoff where it was', nextDelayMs: 4_000 },
  ] as const;
  for (const { ending, does, nextDelayMs } of endings) {
    test(`${ending}() drops the pending retry and ${does}`, () => {
      const { clock, fired, retry } = setup();
      retry.failed();
      clock.advance(1_000);
      retry.failed();
      retry[ending]();
      assert.equal(clock.pending, 0);
      clock.advance(10_000);
      assert.deepEqual(fired, [1_000], 'the dropped retry never fires');
      retry.failed();
      clock.advance(nextDelayMs);
      assert.deepEqual(fired, [1_000, 11_000 + nextDelayMs]);
    });
  }
});
