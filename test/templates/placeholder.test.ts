import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LIST_PLACEHOLDER, PLACEHOLDER, isPlaceholder, passPlaceholders } from '../../src/templates/placeholder.ts';
import { renderInline } from './fixtures.ts';

const p = PLACEHOLDER as Record<string, unknown> & Iterable<unknown>;

describe('the on-demand placeholder', () => {
  test('every property is the placeholder again, so chains of lookups go through', () => {
    assert.ok(isPlaceholder(p.data));
    assert.ok(isPlaceholder((p.data as Record<string, unknown>)['tls.crt']));
    assert.ok(isPlaceholder(LIST_PLACEHOLDER[0]));
    assert.equal(isPlaceholder({}), false);
  });

  test('it is truthy, prints as an empty string and contains every key', () => {
    assert.ok(p);
    assert.equal(`${String(p)}[${p as unknown as string}]`, '[]');
    assert.ok('anything' in p);
  });

  test('it iterates once, yielding itself, and has length 1', () => {
    assert.deepEqual([...p].map(isPlaceholder), [true]);
    assert.equal(p.length, 1);
  });

  test('string and array methods are functions returning it; other properties are never functions', () => {
    assert.ok(isPlaceholder((p.split as (s: string) => unknown)(',')));
    assert.equal(typeof p.data, 'object');
    assert.equal(typeof p.then, 'undefined', 'not a thenable');
  });

  test('it cannot be modified', () => {
    assert.throws(() => {
      p.x = 1;
    }, TypeError);
  });

  test('a wrapped filter returns the placeholder when its input or an argument is one, and runs otherwise', () => {
    const upper = passPlaceholders((value: unknown) => String(value).toUpperCase());
    assert.equal(upper('a'), 'A');
    assert.ok(isPlaceholder(upper(PLACEHOLDER)));
    const join = passPlaceholders((value: unknown, sep: unknown) => (value as string[]).join(String(sep)));
    assert.ok(isPlaceholder(join(['a'], PLACEHOLDER)));
  });

  test('nunjucks built-in filters in templates pass the placeholder through too', async () => {
    // A full store never yields placeholders: the wrapped built-ins must behave as before.
    assert.equal(await renderInline('{{ "a,b" | replace(",", ";") | upper }} {{ [3, 1] | sort | join("-") }}'), 'A;B 1-3');
  });
});
