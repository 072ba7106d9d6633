import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FilterError, TemplateFailure } from '../../src/templates/index.ts';
import { compareValues, FILTERS, GLOBALS } from '../../src/templates/filters.ts';
import { inlineError, renderInline } from './fixtures.ts';

const filter = (name: string) => FILTERS[name]!;

describe('b64decode', () => {
  const b64decode = filter('b64decode');
  const cases: Array<[string, string, string]> = [
    ['padded', 'aGVsbG8=', 'hello'],
    ['unpadded', 'aGVsbG8', 'hello'],
    ['with line breaks and spaces', 'aGVs\nbG8g d29y\r\nbGQ=', 'hello world'],
    ['empty', '', ''],
    ['UTF-8 text', Buffer.from('héllo ✓').toString('base64'), 'héllo ✓'],
  ];
  for (const [what, input, expected] of cases) {
    test(`decodes ${what}`, () => assert.equal(b64decode(input), expected));
  }

  test('decodes the URL-safe alphabet', () => {
    const encoded = Buffer.from('a?b>c~').toString('base64url');
    assert.match(encoded, /[-_]/);
    assert.equal(b64decode(encoded), 'a?b>c~');
  });

  test('refuses a non-string naming the filter and the type', () => {
    assert.throws(() => b64decode(42), { name: 'FilterError', message: 'b64decode: expected a string, got a number' });
    assert.throws(() => b64decode(undefined), { message: 'b64decode: expected a string, got undefined' });
  });

  test('refuses text that is not base64', () => {
    assert.throws(() => b64decode('not base64!'), { message: 'b64decode: not valid base64 (a string of 10 characters)' });
    assert.throws(() => b64decode('abcde'), /not valid base64/);
    assert.throws(() => b64decode('abc=d'), /not valid base64/);
  });

  test('refuses bytes that are not UTF-8 text', () => {
    assert.throws(() => b64decode(Buffer.from([0xff, 0xfe, 0xfd]).toString('base64')), {
      message: 'b64decode: the decoded bytes are not UTF-8 text',
    });
  });

  test('is registered for templates', async () => {
    assert.equal(await renderInline('{{ "aGVsbG8=" | b64decode }}'), 'hello');
  });
});

describe('b64encode', () => {
  const b64encode = filter('b64encode');

  test('encodes UTF-8 text as standard base64 and round-trips through b64decode', async () => {
    assert.equal(b64encode('hello'), 'aGVsbG8=');
    assert.equal(await renderInline('{{ "héllo ✓" | b64encode | b64decode }}'), 'héllo ✓');
  });

  test('refuses a non-string', () => {
    assert.throws(() => b64encode({}), { message: 'b64encode: expected a string, got an object' });
  });
});

describe('sort_by', () => {
  const sortBy = filter('sort_by');
  const items = [
    { name: 'b', port: 100, labels: { tier: 'z' } },
    { name: 'a', port: 20, labels: { tier: 'y' } },
    { name: 'c', labels: { tier: 'y' } },
    { name: 'd', port: 20, labels: {} },
  ];

  test('sorts by a dotted path, numbers numerically, missing values last', () => {
    assert.deepEqual((sortBy(items, 'port') as typeof items).map((i) => i.name), ['a', 'd', 'b', 'c']);
  });

  test('is stable: equal values keep their input order', () => {
    assert.deepEqual((sortBy(items, "labels['tier']") as typeof items).map((i) => i.name), ['a', 'c', 'b', 'd']);
  });

  test('returns a new list and leaves the input alone', () => {
    const input = Object.freeze([...items]);
    const sorted = sortBy(input, 'name');
    assert.notEqual(sorted, input);
    assert.deepEqual(input.map((i) => i.name), ['b', 'a', 'c', 'd']);
  });

  test('sorts a resource view in a template', async () => {
    const out = await renderInline(
      '{% for s in resources.services | sort_by("spec.ports[0].port") %}{{ s.spec.ports[0].port }} {% endfor %}',
    );
    assert.equal(out, '80 8080 9000 ');
  });

  test('refuses a non-list, a non-string path and a path that does not parse', () => {
    assert.throws(() => sortBy('abc', 'x'), { message: 'sort_by: expected a list, got a string of 3 characters' });
    assert.throws(() => sortBy([], 3), { message: 'sort_by: path must be a string, got a number' });
    assert.throws(() => sortBy([], 'a[?(@.x)]'), (err) => err instanceof FilterError && /^sort_by: /.test(err.message));
  });
});

describe('compareValues', () => {
  const cases: Array<[unknown, unknown, number]> = [
    [1, 2, -1],
    [10, 9, 1],
    ['10', '9', -1],
    ['a', 'a', 0],
    ['B', 'a', -1],
    [null, 'a', 1],
    ['a', undefined, -1],
    [undefined, null, 0],
    [true, 'u', -1],
  ];
  for (const [a, b, expected] of cases) {
    test(`orders ${JSON.stringify(a) ?? 'undefined'} against ${JSON.stringify(b) ?? 'undefined'} as ${expected}`, () => {
      assert.equal(Math.sign(compareValues(a, b)), expected);
    });
  }
});

describe('group_by', () => {
  const groupBy = filter('group_by');

  test('groups by the value at a path, sorted by key, items in input order, missing values under null last', () => {
    const items = [
      { n: 1, app: 'web' },
      { n: 2 },
      { n: 3, app: 'api' },
      { n: 4, app: 'web' },
    ];
    assert.deepEqual(groupBy(items, 'app'), [
      { key: 'api', items: [items[2]] },
      { key: 'web', items: [items[0], items[3]] },
      { key: null, items: [items[1]] },
    ]);
  });

  test('groups a resource in a template', async () => {
    const out = await renderInline(
      '{% for g in resources.services | group_by("metadata.labels.app") %}' +
        '{{ g.key }}:{% for s in g.items %} {{ s.metadata.namespace }}{% endfor %};' +
        '{% endfor %}',
    );
    assert.equal(out, 'api: default;web: default prod;');
  });

  test('refuses a non-list', () => {
    assert.throws(() => groupBy(null, 'a'), { message: 'group_by: expected a list, got null' });
  });
});

describe('flatten', () => {
  const flatten = filter('flatten');

  test('joins the lists at a path of each item, in order, skipping items without one', () => {
    assert.deepEqual(flatten([{ r: [1, 2] }, { other: 1 }, { r: [] }, { r: [3] }], 'r'), [1, 2, 3]);
  });

  test('without a path joins the items themselves', () => {
    assert.deepEqual(flatten([[1], [2, [3]]]), [1, 2, [3]]);
  });

  test('refuses a list whose value at the path is not a list', () => {
    assert.throws(() => flatten([{ r: 'ab' }], 'r'), { message: 'flatten: expected a list, got a string of 2 characters' });
  });
});

describe('unique', () => {
  const unique = filter('unique');

  test('without a path keeps the first of each distinct value', () => {
    assert.deepEqual(unique(['b', 'a', 'b', 1, '1', 1]), ['b', 'a', 1, '1']);
  });

  test('with a path keeps the first object for each distinct value at the path', async () => {
    const out = await renderInline(
      '{% for s in resources.services | unique("metadata.labels.app") %}' +
        '{{ s.metadata.namespace }}/{{ s.metadata.name }} ' +
        '{% endfor %}',
    );
    assert.equal(out, 'default/api default/web ');
  });

  test('refuses a non-list', () => {
    assert.throws(() => unique('ab'), { message: 'unique: expected a list, got a string of 2 characters' });
  });
});

describe('to_json', () => {
  const toJson = filter('to_json');

  test('writes compact JSON, or indented JSON with an indent', () => {
    assert.equal(toJson({ a: [1, 'x'] }), '{"a":[1,"x"]}');
    assert.equal(toJson({ a: 1 }, 2), '{\n  "a": 1\n}');
    assert.equal(toJson({ a: 1 }, '\t'), '{\n\t"a": 1\n}');
  });

  test('writes a store object in a template', async () => {
    assert.equal(
      await renderInline('{{ resources.services.GetSingle("default", "api").spec | to_json }}'),
      '{"ports":[{"port":9000}]}',
    );
  });

  test('refuses a circular structure, undefined and a bad indent', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    assert.throws(
      () => toJson(circular),
      (err) => err instanceof FilterError && /^to_json: Converting circular structure/.test(err.message),
    );
    assert.throws(() => toJson(undefined), { message: 'to_json: undefined has no JSON form' });
    assert.throws(() => toJson({}, {}), { message: 'to_json: indent must be a number or a string, got an object' });
  });
});

describe('to_yaml', () => {
  const toYaml = filter('to_yaml');

  test('writes block-style YAML without a trailing newline', () => {
    assert.equal(toYaml({ a: 1, b: ['x', 'y'] }), 'a: 1\nb:\n  - x\n  - y');
  });

  test('writes an object that appears twice in full, without anchors', () => {
    const shared = Object.freeze({ s: 1 });
    assert.equal(toYaml({ a: shared, b: shared }), 'a:\n  s: 1\nb:\n  s: 1');
  });

  test('does not fold long lines', () => {
    const long = 'word '.repeat(40).trim();
    assert.equal(toYaml({ long }), `long: ${long}`);
  });

  test('refuses a circular structure and undefined', () => {
    const circular: Record<string, unknown> = { a: {} };
    (circular.a as Record<string, unknown>).back = circular;
    assert.throws(() => toYaml(circular), { message: 'to_yaml: circular structure' });
    assert.throws(() => toYaml(undefined), { message: 'to_yaml: undefined has no YAML form' });
  });

  test('indents under a key in a template', async () => {
    const out = await renderInline('spec:\n  {{ resources.services.GetSingle("prod", "web").spec | to_yaml | indent(2) | safe }}\n');
    assert.equal(out, 'spec:\n  ports:\n    - port: 8080\n');
  });
});

describe('indent (nunjucks built-in, kept)', () => {
  test('indents every line but the first by default, by 4 spaces', async () => {
    assert.equal(await renderInline('{{ "a\\nb\\nc" | indent | safe }}'), 'a\n    b\n    c');
  });

  test('indents the first line too when asked, and blank lines as well', async () => {
    assert.equal(await renderInline('{{ "a\\n\\nb" | indent(2, true) | safe }}'), '  a\n  \n  b');
  });

  test('returns an empty string for an empty string', async () => {
    assert.equal(await renderInline('[{{ "" | indent(2, true) }}]'), '[]');
  });
});

describe('regex_replace', () => {
  const regexReplace = filter('regex_replace');

  test('replaces every match, with groups in the replacement', () => {
    assert.equal(regexReplace('a-b-c', '-', '_'), 'a_b_c');
    assert.equal(regexReplace('web.example.com', '^([^.]+)\\.(.*)$', '$2/$1'), 'example.com/web');
  });

  test('adds the given flags to g', () => {
    assert.equal(regexReplace('Aa', 'a', 'x', 'i'), 'xx');
  });

  test('converts numbers to text', () => {
    assert.equal(regexReplace(8080, '0', '1'), '8181');
  });

  test('refuses a pattern that does not compile, and non-string arguments', () => {
    assert.throws(
      () => regexReplace('x', '(s3cr3t', ''),
      (err) =>
        err instanceof FilterError &&
        err.message === 'regex_replace: the pattern is not a valid regular expression: Unterminated group',
    );
    assert.throws(() => regexReplace('x', 1, ''), {
      message: 'regex_replace: pattern, replacement and flags must be strings',
    });
    assert.throws(() => regexReplace(null, 'x', ''), { message: 'regex_replace: expected a string, got null' });
  });

  test('works in a template', async () => {
    assert.equal(await renderInline('{{ "a.b.c" | regex_replace("\\\\.", "-") }}'), 'a-b-c');
  });
});

describe('fail()', () => {
  test('throws a TemplateFailure with the message', () => {
    assert.throws(
      () => GLOBALS.fail!('no backends'),
      (err) => err instanceof TemplateFailure && err.message === 'no backends',
    );
  });

  test('has a default message', () => {
    assert.throws(() => GLOBALS.fail!(), { message: 'fail() was called' });
  });

  test('aborts the render with a RenderError carrying the message', async () => {
    const err = await inlineError(
      'ok\n{% if resources.ingresses | length > 2 %}' +
        '{{ fail("too many ingresses: " ~ (resources.ingresses | length)) }}' +
        '{% endif %}',
    );
    assert.equal(err.reason, 'too many ingresses: 3');
    assert.ok(err.cause instanceof TemplateFailure);
  });
});

describe('filter errors', () => {
  test('never quote the value they were given: it may be Secret data', () => {
    const b64decode = filter('b64decode');
    const b64encode = filter('b64encode');
    const sortBy = filter('sort_by');
    const groupBy = filter('group_by');
    const unique = filter('unique');
    const toJson = filter('to_json');
    const regexReplace = filter('regex_replace');
    const secret = 'hunter2-password-from-a-secret';
    const calls: Array<() => unknown> = [
      () => b64decode(`${secret}!`),
      () => b64encode(42),
      () => sortBy(secret, 'x'),
      () => sortBy([], 7),
      () => groupBy(secret, 'x'),
      () => unique(secret),
      () => toJson({}, { secret }),
      () => regexReplace({ secret }, 'a', 'b'),
      () => regexReplace('x', `(${secret}`, 'b'),
    ];
    for (const call of calls) {
      assert.throws(call, (err: Error) => err instanceof FilterError && !err.message.includes('hunter2') && !err.message.includes('42'));
    }
  });
});
