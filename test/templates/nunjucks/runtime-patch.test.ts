import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnvironment } from '../../../src/templates/environment.ts';

function render(source: string, context: Record<string, unknown> = {}): string {
  return createEnvironment([]).renderString(source, context);
}

describe('member lookups and method calls without per-call wrappers', () => {
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

  test('calling a member that is not a function, is missing, or is read from null still names the call', () => {
    assert.throws(() => render('{{ o.k() }}', { o: { k: 1 } }), /Unable to call `o\.k`, which is not a function/);
    assert.throws(() => render('{{ o.nope(1) }}', { o: {} }), /Unable to call `o\.nope`, which is undefined or falsey/);
    assert.throws(() => render('{{ n.x.y() }}', { n: null }), /Unable to call `n\.x\.y`, which is undefined or falsey/);
  });

  test('a method is read after its arguments are evaluated, as stock nunjucks calls it', () => {
    const obj: Record<string, unknown> = { f: () => 'old' };
    const swap = (): string => ((obj.f = () => 'new'), 'x');
    assert.equal(render('{{ o.f(swap()) }}', { o: obj, swap }), 'new');
  });
});

describe('macros called with exactly their positional arguments', () => {
  test('positional, keyword, missing and extra arguments bind as in stock nunjucks', () => {
    const macro = '{% macro m(a, b="B") %}{{ a }}{{ b }}{% endmacro %}';
    assert.equal(render(`${macro}{{ m(1, 2) }} {{ m(1) }} {{ m(1, b=3) }} {{ m(a=4) }} {{ m(5, 6, 7) }}`), '12 1B 13 4B 56');
  });

  test('caller blocks still reach the macro', () => {
    const source = '{% macro wrap() %}[{{ caller() }}]{% endmacro %}{% call wrap() %}in{% endcall %}';
    assert.equal(render(source), '[in]');
  });
});
