import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatByteSize, parseByteSize, parseDuration } from '../../src/config/index.ts';

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

describe('parseByteSize', () => {
  const valid: Array<[text: string | number, bytes: number]> = [
    [1024, 1024],
    ['1024', 1024],
    ['512Ki', 524_288],
    ['4Mi', 4_194_304],
    ['4MiB', 4_194_304],
    ['1Gi', 1_073_741_824],
    ['500K', 500_000],
    ['4MB', 4_000_000],
    ['1.5Mi', 1_572_864],
  ];
  for (const [text, bytes] of valid) {
    test(`reads ${text} as ${bytes} bytes`, () => assert.equal(parseByteSize(text), bytes));
  }
  for (const text of ['', '4 Mi', '4mi', '-1', 'Mi', '4Ti', '4Mib']) {
    test(`refuses ${JSON.stringify(text)}`, () => assert.equal(parseByteSize(text), undefined));
  }
  test('formats sizes for messages', () => {
    assert.deepEqual([formatByteSize(900), formatByteSize(1536), formatByteSize(3 * 1024 * 1024)], ['900 bytes', '1.5 KiB', '3 MiB']);
  });
});
