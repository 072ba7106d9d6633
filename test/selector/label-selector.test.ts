import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SelectorError, parseLabelSelector } from '../../src/selector/index.ts';

const long = (n: number): string => 'a'.repeat(n);

describe('parseLabelSelector accepts the Kubernetes grammar', () => {
  // [input, canonical toString()]
  const cases: Array<[string, string]> = [
    ['', ''],
    ['   ', ''],
    ['a=b', 'a=b'],
    ['a==b', 'a=b'],
    ['a!=b', 'a!=b'],
    ['a', 'a'],
    ['!a', '!a'],
    ['a in (x,y)', 'a in (x,y)'],
    ['a notin (y,x)', 'a notin (x,y)'],
    ['a in (x)', 'a in (x)'],
    ['a in (x,x)', 'a in (x)'],
    ['a in ()', 'a in ()'],
    ['a in (,x)', 'a in (,x)'],
    ['a in (x,)', 'a in (,x)'],
    ['a in (x,,y)', 'a in (,x,y)'],
    ['a in (,,x)', 'a in (,x)'],
    ['a=', 'a='],
    ['a==', 'a='],
    ['a!=', 'a!='],
    ['a=,b', 'a=,b'],
    ['a>1', 'a>1'],
    ['a<10', 'a<10'],
    ['a > 1', 'a>1'],
    ['  a  =  b  ,  c  !=  d  ', 'a=b,c!=d'],
    ['a\t=\tb\n,\r!c', 'a=b,!c'],
    ['x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
    ['b=2,a=1', 'a=1,b=2'],
    ['a=1,a=1', 'a=1'],
    ['a=1,a!=2', 'a!=2,a=1'],
    ['in in (in,notin)', 'in in (in,notin)'],
    ['notin notin (in)', 'notin notin (in)'],
    ['in=notin', 'in=notin'],
    ['!in', '!in'],
    ['example.com/app=web', 'example.com/app=web'],
    ['app.kubernetes.io/name in (haproxy, nginx)', 'app.kubernetes.io/name in (haproxy,nginx)'],
    ['A_b.c-D=E.f_G-h', 'A_b.c-D=E.f_G-h'],
    ['a=1.2.3', 'a=1.2.3'],
    [`${long(63)}=${long(63)}`, `${long(63)}=${long(63)}`],
    [`${'b'.repeat(253)}/${long(63)}`, `${'b'.repeat(253)}/${long(63)}`],
    ['a>9223372036854775807', 'a>9223372036854775807'],
    ['a>00', 'a>00'],
  ];
  for (const [input, canonical] of cases) {
    test(`parses ${JSON.stringify(input)} and writes it as ${JSON.stringify(canonical)}`, () => {
      const selector = parseLabelSelector(input);
      assert.equal(selector.toString(), canonical);
      assert.equal(parseLabelSelector(selector.toString()).toString(), canonical);
    });
  }
});

describe('parseLabelSelector refuses invalid selectors, naming the offset and what was expected', () => {
  // [input, offset, expected contains]
  const cases: Array<[string, number, string]> = [
    ['a,', 2, "'!' or a label key after ','"],
    [',a', 0, "'!', a label key or end of string"],
    ['a,,b', 2, 'after'],
    ['=b', 0, 'a label key'],
    ['a b', 2, 'an operator'],
    ['a = b c', 6, "',' or end of string"],
    ['a=b=c', 3, "',' or end of string"],
    ['!a=b', 2, "',' or end of string"],
    ['!', 1, 'a label key'],
    ['!!a', 1, 'a label key'],
    ['a in b', 5, "'('"],
    ['a in', 4, "'('"],
    ['a in (b', 7, "',' or ')'"],
    ['a in (b c)', 8, "',' or ')'"],
    ['a in (=)', 6, "',', ')' or a label value"],
    ['a in (b,=)', 8, "',' or a label value"],
    ['a in (b,,)', 9, "',' or a label value"],
    ['a in (,,)', 8, "',' or a label value"],
    ['a in (b))', 8, "',' or end of string"],
    ['a notin', 7, "'('"],
    ['a=(b)', 2, 'a label value'],
    ['a=!b', 2, 'a label value'],
    ['a>b', 2, '64-bit integer'],
    ['a>', 2, '64-bit integer'],
    ['a<1.5', 2, '64-bit integer'],
    ['a>9223372036854775808', 2, '64-bit integer'],
    ['a>-1', 2, 'a valid label value'],
    ['-a=b', 0, 'name part must'],
    ['a-=b', 0, 'name part must'],
    ['a b=c', 2, 'an operator'],
    ['a/b/c', 0, "at most one '/'"],
    ['/a', 0, 'prefix part must be non-empty'],
    ['a/', 0, 'name part must be non-empty'],
    ['Example.com/a', 0, 'lowercase DNS subdomain'],
    ['ex_ample.com/a', 0, 'lowercase DNS subdomain'],
    [`${'b'.repeat(254)}/a`, 0, 'no more than 253'],
    [long(64), 0, 'no more than 63'],
    [`a=${long(64)}`, 2, 'no more than 63'],
    ['a=b-', 2, 'a valid label value'],
    ['a=b/c', 2, 'a valid label value'],
    ['a in (b,-c)', 8, 'a valid label value'],
    ['a=b,c=d,e=-f', 10, 'a valid label value'],
    ['a=b,c!d', 5, 'an operator'],
    ['app==web,,tier', 9, "'!' or a label key after ','"],
    ['ä=b', 0, 'name part must'],
  ];
  for (const [input, offset, expected] of cases) {
    test(`refuses ${JSON.stringify(input)} at offset ${offset}`, () => {
      assert.throws(
        () => parseLabelSelector(input),
        (err: unknown) => {
          assert.ok(err instanceof SelectorError, `not a SelectorError: ${String(err)}`);
          assert.equal(err.kind, 'label');
          assert.equal(err.selector, input);
          assert.equal(err.offset, offset, err.message);
          assert.ok(err.expected.includes(expected), `${JSON.stringify(err.expected)} lacks ${JSON.stringify(expected)}`);
          assert.ok(err.message.includes(`at offset ${offset}`), err.message);
          return true;
        },
      );
    });
  }
});

describe('LabelSelector.matches behaves like the API server', () => {
  // [selector, labels, matches]
  const cases: Array<[string, Record<string, string> | undefined, boolean]> = [
    ['', undefined, true],
    ['', { a: 'b' }, true],
    ['a=b', { a: 'b' }, true],
    ['a=b', { a: 'c' }, false],
    ['a=b', {}, false],
    ['a=b', undefined, false],
    ['a==b', { a: 'b' }, true],
    ['a=', { a: '' }, true],
    ['a=', {}, false],
    ['a!=b', { a: 'c' }, true],
    ['a!=b', { a: 'b' }, false],
    ['a!=b', {}, true],
    ['a!=b', undefined, true],
    ['a in (x,y)', { a: 'y' }, true],
    ['a in (x,y)', { a: 'z' }, false],
    ['a in (x,y)', {}, false],
    ['a in ()', { a: '' }, true],
    ['a in (,x)', { a: '' }, true],
    ['a notin (x,y)', { a: 'z' }, true],
    ['a notin (x,y)', { a: 'x' }, false],
    ['a notin (x,y)', {}, true],
    ['a notin (x,y)', undefined, true],
    ['a', { a: '' }, true],
    ['a', { b: 'a' }, false],
    ['!a', { b: 'a' }, true],
    ['!a', { a: '' }, false],
    ['!a', undefined, true],
    ['a>1', { a: '2' }, true],
    ['a>1', { a: '1' }, false],
    ['a>1', { a: 'x' }, false],
    ['a>1', {}, false],
    ['a<10', { a: '9' }, true],
    ['a<10', { a: '10' }, false],
    ['a<10', { a: '-3' }, true],
    ['a>9223372036854775806', { a: '9223372036854775807' }, true],
    ['a=b,c in (d,e),!f,g', { a: 'b', c: 'e', g: '' }, true],
    ['a=b,c in (d,e),!f,g', { a: 'b', c: 'e', g: '', f: 'x' }, false],
    ['a=b,c in (d,e),!f,g', { a: 'b', c: 'e' }, false],
    ['example.com/app=web', { 'example.com/app': 'web' }, true],
    ['toString', {}, false],
    ['!constructor', {}, true],
  ];
  for (const [selector, labels, expected] of cases) {
    test(`${JSON.stringify(selector)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(labels)}`, () => {
      assert.equal(parseLabelSelector(selector).matches(labels), expected);
    });
  }
});

describe('LabelSelector', () => {
  test('exposes its requirements in canonical order with == read as =', () => {
    const selector = parseLabelSelector('b notin (z,y),a==x');
    assert.deepEqual(
      selector.requirements.map((r) => ({ ...r, values: [...r.values] })),
      [
        { key: 'a', operator: '=', values: ['x'] },
        { key: 'b', operator: 'notin', values: ['y', 'z'] },
      ],
    );
    assert.equal(selector.isEmpty(), false);
    assert.equal(parseLabelSelector(' ').isEmpty(), true);
  });

  test('is immutable', () => {
    const selector = parseLabelSelector('a in (x)');
    assert.throws(() => (selector.requirements as unknown[]).push('x'), TypeError);
    assert.throws(() => ((selector.requirements[0]!.values as string[])[0] = 'y'), TypeError);
  });
});
