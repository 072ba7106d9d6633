import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnvironment } from '../../src/templates/environment.ts';

function render(source: string, context: Record<string, unknown> = {}): string {
  return createEnvironment([]).renderString(source, context);
}

describe('memberLookup without a context per lookup', () => {
  test('a method read from an object is called with that object as this', () => {
    const counter = { n: 1, next(this: { n: number }, step: number) { return (this.n += step); } };
    assert.equal(render('{{ c.next(2) }} {{ c.next(3) }}', { c: counter }), '3 6');
  });

  test('array methods work on the array they were read from', () => {
    assert.equal(render('{% set xs = [] %}{% set _ = xs.push("a", "b") %}{{ xs.join("-") }} {{ xs.slice(1) }}'), 'a-b b');
  });

  test('a member of null or undefined reads as undefined, and plain values as themselves', () => {
    const source = '{{ "u" if a.b.c is undefined }} {{ s[0] }}{{ s.length }} {{ o["k"] }}';
    assert.equal(render(source, { a: null, s: 'xyz', o: { k: 0 } }), 'u x3 0');
  });

  test('calling a member that is not a function still names the call', () => {
    assert.throws(() => render('{{ o.k() }}', { o: { k: 1 } }), /Unable to call `o\.k`, which is not a function/);
  });
});
