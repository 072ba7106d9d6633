import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deepFreeze } from '../../src/store/freeze.ts';

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
