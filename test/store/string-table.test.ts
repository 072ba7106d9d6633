import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULTS, StringTable } from '../../src/store/string-table.ts';

/** `count` distinct strings of `length` characters (a counter padded with letters). */
function distinct(count: number, length: number): string[] {
  return Array.from({ length: count }, (_, i) => `${i}`.padStart(length, 'x'));
}

describe('StringTable', () => {
  test('keeps the first instance of a string and hands it out for equal ones later', () => {
    const table = new StringTable();
    const first = '2025-10-20T16:42:55Z';
    const later = ['2025-10-20', 'T16:42:55Z'].join('');
    assert.equal(table.shared(first), undefined, 'new: the caller keeps its own, which the table now holds');
    assert.equal(table.shared(later), first);
    assert.equal(table.size, 1);
  });

  test('never holds strings shorter than minLength or longer than maxLength', () => {
    const table = new StringTable({ minLength: 10, maxLength: 20 });
    for (const value of ['short', 'x'.repeat(9), 'y'.repeat(21), 'z'.repeat(5000)]) {
      assert.equal(table.shared(value), undefined);
      assert.equal(table.shared(value), undefined, 'not held the second time either');
    }
    assert.equal(table.size, 0);
    assert.equal(table.shared('x'.repeat(10)), undefined);
    assert.equal(table.shared('x'.repeat(10)), 'x'.repeat(10));
  });

  test('a flood of distinct strings never grows it past its slots', () => {
    const table = new StringTable({ slots: 256 });
    for (const value of distinct(20_000, 40)) assert.equal(table.shared(value), undefined);
    assert.ok(table.size <= 256, `holds ${table.size}`);
    assert.ok(table.size > 128, 'the slots are used, not a few of them');
  });

  test('the default table holds at most its slots of at most maxLength characters', () => {
    const table = new StringTable();
    for (const value of distinct(3 * DEFAULTS.slots, DEFAULTS.maxLength)) table.shared(value);
    assert.ok(table.size <= DEFAULTS.slots);
  });

  test('strings that meet in a slot evict each other but every answer equals the question', () => {
    const table = new StringTable({ slots: 1 });
    const values = distinct(50, 12);
    for (let round = 0; round < 3; round++) {
      for (const value of values) {
        const shared = table.shared(value);
        assert.ok(shared === undefined || shared === value);
      }
    }
    assert.equal(table.size, 1);
    assert.equal(table.shared(values.at(-1)!), values.at(-1), 'the last one in holds the slot');
  });

  test('values crafted to agree on the sampled characters only lose sharing', () => {
    const table = new StringTable({ slots: 1024 });
    const common = 'a'.repeat(64);
    const crafted = Array.from({ length: 500 }, (_, i) => `${common.slice(0, 10)}${String(i).padStart(4, '0')}${common.slice(14)}`);
    for (const value of crafted) table.shared(value);
    for (const value of crafted) {
      const shared = table.shared(value);
      assert.ok(shared === undefined || shared === value);
    }
    assert.ok(table.size <= 1024);
  });

  test('refuses slots that are not a power of two, and negative lengths', () => {
    assert.throws(() => new StringTable({ slots: 1000 }), /power of two/);
    assert.throws(() => new StringTable({ slots: 0 }), /power of two/);
    assert.throws(() => new StringTable({ maxLength: -1 }), /negative/);
  });
});
