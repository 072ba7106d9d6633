import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PathError, canonicalPath, parsePath } from '../../src/path/index.ts';

describe('parsePath', () => {
  const accepted: Array<[expr: string, simple: boolean, canonical: string]> = [
    ['metadata.namespace', true, "$['metadata']['namespace']"],
    ['$.metadata.name', true, "$['metadata']['name']"],
    ["metadata.labels['app']", true, "$['metadata']['labels']['app']"],
    ['metadata.annotations["a.b/c"]', true, "$['metadata']['annotations']['a.b/c']"],
    ["metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']", true,
      "$['metadata']['annotations']['kubectl.kubernetes.io/last-applied-configuration']"],
    ['spec.rules[0].host', true, "$['spec']['rules'][0]['host']"],
    ["$['spec']['ingressClassName']", true, "$['spec']['ingressClassName']"],
    ["['metadata'].name", true, "$['metadata']['name']"],
    ["data['it\\'s']", true, "$['data']['it\\'s']"],
    ['data["say \\"hi\\""]', true, `$['data']['say "hi"']`],
    ["data['back\\\\slash']", true, "$['data']['back\\\\slash']"],
    ["data[ 'spaced' ]", true, "$['data']['spaced']"],
    ["data['']", true, "$['data']['']"],
    ['metadata.labels.app-name_2', true, "$['metadata']['labels']['app-name_2']"],
    ['items.0.name', true, "$['items']['0']['name']"],
    ['spec.tls[*].secretName', false, "$['spec']['tls'][*]['secretName']"],
    ['metadata.labels.*', false, "$['metadata']['labels'][*]"],
    ['$..name', false, "$..['name']"],
    ['..name', false, "$..['name']"],
    ['spec..[0]', false, "$['spec']..[0]"],
    ['spec..*', false, "$['spec']..[*]"],
    ["metadata.labels['app','tier']", false, "$['metadata']['labels']['app','tier']"],
    ['spec.ports[0, 2].port', false, "$['spec']['ports'][0,2]['port']"],
    ['spec.ports[1:].port', false, "$['spec']['ports'][1:]['port']"],
    ['spec.ports[-1:]', false, "$['spec']['ports'][-1:]"],
    ['spec.ports[::2]', false, "$['spec']['ports'][::2]"],
    ['spec.ports[0:4:2]', false, "$['spec']['ports'][0:4:2]"],
    ["spec.tls[*]['app.kubernetes.io/name']", false, "$['spec']['tls'][*]['app.kubernetes.io/name']"],
  ];
  for (const [expr, simple, canonical] of accepted) {
    test(`parses ${expr} as a ${simple ? 'simple' : 'jsonpath-plus'} path`, () => {
      const parsed = parsePath(expr);
      assert.equal(parsed.expr, expr);
      assert.equal(parsed.simple, simple);
      assert.equal(canonicalPath(parsed), canonical);
    });
  }

  test('records each segment with its offset in the expression', () => {
    assert.deepEqual(parsePath("$.spec.rules[0]['host']").segments, [
      { kind: 'key', key: 'spec', offset: 2 },
      { kind: 'key', key: 'rules', offset: 7 },
      { kind: 'index', index: 0, offset: 12 },
      { kind: 'key', key: 'host', offset: 15 },
    ]);
  });

  const rejected: Array<[expr: string, offset: number, fragment: string]> = [
    ['', 0, 'empty path'],
    ['$', 1, 'selects the whole object'],
    ['$metadata', 1, "expected '.' or '[' after '$'"],
    ['.metadata', 0, "a path starts with a key"],
    ['metadata.', 9, "expected a key or '*' after '.'"],
    ['metadata..', 10, "expected a key, '*' or '[' after '..'"],
    ['metadata...name', 10, "expected a key, '*' or '[' after '..'"],
    ['metadata name', 8, 'expected \'.\' or \'[\', found " "'],
    ['metadata.labels.app.kubernetes.io/name', 33, `expected '.' or '[', found "/"; quote keys with other characters: ['...']`],
    ['metadata.:x', 9, 'unexpected ":"'],
    ['metadata.labels[app]', 16, 'expected a quoted key, a number'],
    ["metadata.labels['app'", 21, "missing ']'"],
    ["metadata.labels['app", 16, 'unterminated quoted key'],
    ["metadata.labels['app'x]", 21, `expected ']', found "x"`],
    ['metadata[', 9, "unterminated '['"],
    ['metadata[]', 9, 'expected a quoted key, a number'],
    ["data['a\\n']", 7, 'unknown escape "\\\\n"'],
    ['spec.rules[-1]', 11, 'negative index -1; use a slice such as [-1:]'],
    ['spec.rules[0,-2]', 13, 'negative index -2'],
    ['spec.rules[-]', 12, "expected a digit after '-'"],
    ['spec.rules[1:2:0]', 15, 'a slice step of 0 selects nothing'],
    ['spec.rules[99999999999999999999]', 11, 'number too large'],
    ["spec.rules[0,'a']", 13, 'a union mixes indices with quoted keys'],
    ["spec.rules['a',0]", 15, 'a union mixes quoted keys with something else'],
    ['spec.ports[?(@.port==80)].targetPort', 11, 'filter and script expressions are not allowed: no script evaluation'],
    ['spec.ports[(@.length-1)]', 11, 'filter and script expressions are not allowed: no script evaluation'],
    ['spec.?(@.x)', 5, 'filter and script expressions are not allowed'],
    ['$..[?(@.x)]', 4, 'filter and script expressions are not allowed'],
    ['metadata.labels.*~', 17, `expected '.' or '[', found "~"`],
    ['metadata.^', 9, 'jsonpath-plus extensions'],
    ['@.metadata', 0, 'jsonpath-plus extensions'],
    ["metadata.labels['a]b'][*]", 15, "key \"a]b\" cannot be combined with wildcards"],
    ["spec..['x;y']", 6, "key \"x;y\" cannot be combined with wildcards"],
  ];
  for (const [expr, offset, fragment] of rejected) {
    test(`rejects ${JSON.stringify(expr)} at offset ${offset}`, () => {
      assert.throws(
        () => parsePath(expr),
        (err: unknown) => {
          assert.ok(err instanceof PathError, `expected a PathError, got ${String(err)}`);
          assert.equal(err.expr, expr);
          assert.equal(err.offset, offset, err.message);
          assert.ok(err.message.includes(fragment), `${JSON.stringify(err.message)} lacks ${JSON.stringify(fragment)}`);
          assert.ok(err.message.includes(`at offset ${offset}`), err.message);
          return true;
        },
      );
    });
  }

  test('accepts a key with a closing bracket in a simple path', () => {
    const parsed = parsePath("metadata.annotations['a]b']");
    assert.equal(parsed.simple, true);
    assert.deepEqual(parsed.segments.at(-1), { kind: 'key', key: 'a]b', offset: 20 });
  });

  test('returns frozen results', () => {
    const parsed = parsePath('metadata.name');
    assert.ok(Object.isFrozen(parsed));
    assert.ok(Object.isFrozen(parsed.segments));
  });
});
