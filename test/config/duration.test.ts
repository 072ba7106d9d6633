import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from '../../src/config/index.ts';

describe('parseDuration', () => {
  const valid: Array<[text: string, ms: number]> = [
    ['0ms', 0],
    ['200ms', 200],
    ['10s', 10_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h2m3s4ms', 3_723_004],
    ['1.5s', 1_500],
    ['0.5ms', 1],
    ['90m', 5_400_000],
  ];
  for (const [text, ms] of valid) {
    test(`reads ${text} as ${ms} ms`, () => assert.equal(parseDuration(text), ms));
  }

  for (const text of ['', '10', '10mins', '-1s', '1s1m', 's', '1.s', '1 s', '1S', '1d', '5us', 'ms', '1m1m']) {
    test(`refuses ${JSON.stringify(text)}`, () => assert.equal(parseDuration(text), undefined));
  }
});
