import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deepFreeze } from '../../src/store/freeze.ts';
import { sharedStrings, type SharedStrings } from '../../src/store/string-table.ts';

/** A value nested `depth` levels deep: {child: {child: ... {leaf: true}}}. */
function nested(depth: number): Record<string, unknown> {
  const top: Record<string, unknown> = {};
  let node = top;
  for (let i = 0; i < depth; i++) {
    const child: Record<string, unknown> = {};
    node.child = child;
    node = child;
  }
  node.leaf = [1, { deepest: true }];
  return top;
}

function everyNodeFrozen(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (!Object.isFrozen(node)) return false;
    stack.push(...Object.values(node));
  }
  return true;
}

describe('deepFreeze', () => {
  test('freezes every object and array of a value, and returns it', () => {
    const value = { a: { b: [1, { c: 'x' }] }, d: null, e: 'text' };
    assert.equal(deepFreeze(value), value);
    assert.ok(everyNodeFrozen(value));
    assert.equal(deepFreeze('text'), 'text');
    assert.equal(deepFreeze(null), null);
  });

  test('freezes a value nested 100,000 levels deep without overflowing the stack', () => {
    const value = nested(100_000);
    deepFreeze(value);
    assert.ok(everyNodeFrozen(value));
  });

  test('is all or nothing: a freeze that fails half-way leaves the top unfrozen, and a retry finishes it', () => {
    let refuse = true;
    const stubborn = new Proxy({ inner: { x: 1 } } as Record<string, unknown>, {
      preventExtensions(target) {
        if (refuse) throw new Error('not now');
        return Reflect.preventExtensions(target);
      },
    });
    const value = { before: { y: 2 }, middle: { stubborn }, after: [{ z: 3 }] };
    assert.throws(() => deepFreeze(value), /not now/);
    assert.equal(Object.isFrozen(value), false, 'the top is frozen only after all of its children');
    assert.equal(Object.isFrozen(value.middle), false);
    refuse = false;
    deepFreeze(value);
    assert.ok(everyNodeFrozen(value), 'the retry descends again and freezes what was left');
  });

  test('a frozen object is taken as deeply frozen; shared and cyclic references are safe', () => {
    const shared = { s: [1, 2] };
    const cyclic: Record<string, unknown> = { shared, again: shared };
    cyclic.self = cyclic;
    cyclic.pair = { back: cyclic };
    deepFreeze(cyclic);
    assert.ok(Object.isFrozen(cyclic) && Object.isFrozen(shared) && Object.isFrozen(shared.s) && Object.isFrozen(cyclic.pair));
    const alreadyFrozen = Object.freeze({ open: { notFrozen: true } });
    deepFreeze({ alreadyFrozen });
    assert.equal(Object.isFrozen(alreadyFrozen.open), false, 'not descended into');
  });
});

/** A table that shares every string it has seen before, returning a marked copy so tests can see which were replaced. */
class MarkingTable implements SharedStrings {
  readonly seen: string[] = [];
  shared(value: string): string | undefined {
    const before = this.seen.includes(value);
    this.seen.push(value);
    return before ? `${value}` : undefined;
  }
}

describe('deepFreeze sharing strings', () => {
  test('offers every string value of objects and arrays to the table, and keeps values equal', () => {
    const table = new MarkingTable();
    const value = { a: 'same-long-value', b: ['same-long-value', 3, true, null, { c: 'other-value' }], d: 'same-long-value' };
    const copy = structuredClone(value);
    deepFreeze(value, table);
    assert.deepEqual(value, copy);
    assert.deepEqual([...table.seen].sort(), ['other-value', 'same-long-value', 'same-long-value', 'same-long-value']);
    assert.ok(everyNodeFrozen(value));
  });

  test('puts the table instance in place of a string the table already holds', () => {
    const replacing: SharedStrings = { shared: (value) => (value === 'held' ? 'HELD' : undefined) };
    const value = { one: 'held', list: ['held', 'kept'], nested: { two: 'held' } };
    deepFreeze(value, replacing);
    assert.deepEqual(value, { one: 'HELD', list: ['HELD', 'kept'], nested: { two: 'HELD' } });
  });

  test('does not descend into a frozen subtree, which keeps its own strings', () => {
    const table = new MarkingTable();
    const frozen = Object.freeze({ inside: 'frozen-string-value' });
    deepFreeze({ frozen, outside: 'outside-string-value' }, table);
    assert.deepEqual(table.seen, ['outside-string-value']);
  });

  test('stores share strings through the process table: equal values, frozen, whatever the table holds', () => {
    const a = deepFreeze({ time: '2025-10-20T16:42:55Z', image: 'registry.example.com/team/app:1.2.3' });
    const b = deepFreeze({ time: '2025-10-20T16:42:55Z', image: 'registry.example.com/team/app:1.2.3' });
    assert.deepEqual(a, b);
    assert.ok(Object.isFrozen(a) && Object.isFrozen(b));
    assert.equal(sharedStrings.shared('2025-10-20T16:42:55Z'), '2025-10-20T16:42:55Z', 'held after the first freeze');
  });
});
