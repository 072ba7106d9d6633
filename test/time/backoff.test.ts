import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, jittered } from '../../src/time/backoff.ts';
import { FakeClock } from '../support/fake-clock.ts';

const SETTINGS = { initialMs: 800, capMs: 30_000, resetAfterMs: 120_000 };

describe('Backoff', () => {
  test('double the delay ceiling from 0.8 s per consecutive failure up to the 30 s cap', () => {
    const clock = new FakeClock();
    const backoff = new Backoff(SETTINGS, clock, () => 0.999999);
    const delays = Array.from({ length: 8 }, () => backoff.next());
    assert.deepEqual(delays, [799, 1599, 3199, 6399, 12799, 25599, 29999, 29999]);
  });

  test('pick each delay uniformly below the ceiling (full jitter)', () => {
    const clock = new FakeClock();
    const backoff = new Backoff(SETTINGS, clock, () => 0.5);
    assert.deepEqual([backoff.next(), backoff.next(), backoff.next()], [400, 800, 1600]);
    const zero = new Backoff(SETTINGS, clock, () => 0);
    assert.equal(zero.next(), 0);
  });

  test('start again from the initial ceiling after a failure-free period of resetAfterMs', () => {
    const clock = new FakeClock();
    const backoff = new Backoff(SETTINGS, clock, () => 0.999999);
    for (let i = 0; i < 6; i++) backoff.next();
    clock.advance(119_999);
    assert.equal(backoff.next(), 29999, 'still backing off just before the reset period');
    clock.advance(120_000);
    assert.equal(backoff.next(), 799);
    assert.equal(backoff.attempt, 1);
  });

  test('forget every failure on reset()', () => {
    const backoff = new Backoff(SETTINGS, new FakeClock(), () => 0.999999);
    backoff.next();
    backoff.next();
    backoff.reset();
    assert.equal(backoff.ceiling(), 800);
  });

  test('wait exactly the ceiling without jitter, never starting over by itself', () => {
    const clock = new FakeClock();
    const backoff = new Backoff({ initialMs: 1_000, capMs: 60_000, jitter: 'none' }, clock, () => 0);
    const delays = Array.from({ length: 8 }, () => backoff.next());
    assert.deepEqual(delays, [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    clock.advance(24 * 3_600_000);
    assert.equal(backoff.next(), 60_000, 'no reset period unless one is set');
    backoff.reset();
    assert.equal(backoff.next(), 1_000);
  });

  test('stretch a slow retry by at most the jitter fraction', () => {
    assert.equal(jittered(30_000, 0.2, () => 0), 30_000);
    assert.equal(jittered(30_000, 0.2, () => 0.5), 33_000);
    assert.ok(jittered(30_000, 0.2, () => 0.999999) < 36_000);
  });
});
