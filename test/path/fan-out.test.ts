import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { JSONPath } from 'jsonpath-plus';
import { canonicalPath, compilePath, parsePath } from '../../src/path/index.ts';
import { compileFanOut } from '../../src/path/fan-out.ts';
import { seededRandom } from '../support/apiserver/random.ts';

/** What jsonpath-plus itself selects, as the accessor called it before paths were compiled. */
function reference(expr: string, obj: unknown, maxValues?: number): unknown[] {
  if (obj === null || typeof obj !== 'object') return [];
  const path = canonicalPath(parsePath(expr));
  const values: unknown[] = [];
  if (maxValues !== undefined && maxValues <= 0) return values;
  try {
    JSONPath({
      path, json: obj, eval: false, wrap: true, resultType: 'value',
      callback: (value: unknown) => {
        values.push(value);
        if (maxValues !== undefined && values.length >= maxValues) throw values;
      },
    });
  } catch (err) {
    if (err !== values) throw err;
  }
  return values;
}

/** Objects with the odd corners jsonpath-plus has rules for. */
const OBJECTS: readonly unknown[] = [
  {
    spec: {
      rules: [{ host: 'a.example', http: { paths: [{ path: '/' }, { path: '/api' }] } }, { host: 'b.example' }, { http: null }, 'text', null, 7],
      hostAliases: [{ ip: '10.0.0.1', hostnames: ['a', 'b', 'a'] }, { ip: '10.0.0.2', hostnames: [] }, { hostnames: 'not-a-list' }],
      tls: { first: { hosts: ['x'] }, second: { hosts: ['y', 'z'] } },
    },
    metadata: { labels: { 'app.kubernetes.io/name': 'web', '*': 'star-label', tier: 'front' }, finalizers: null },
  },
  { spec: { rules: { '*': { host: 'literal-star' }, other: { host: 'other' } } } },
  { spec: { rules: [{ '*': 'star-key', host: 'h' }, { host: 'h2' }] }, a: { '*': { '*': 1, y: 2 }, x: { '*': 3, z: 4 } } },
  { spec: { rules: ['abc', '', 'de'] }, a: { b: 'string-value', 0: 'zero-key', 1: { 0: 'deep' } } },
  { spec: { rules: { 0: { host: 'zero' }, 1: { host: 'one' }, length: 2 } }, a: [[1, [2, 3]], [], [[4]]] },
  { spec: { rules: [] }, a: { b: [0, false, '', null, { c: true }] } },
  { spec: null, a: 5 },
  { a: JSON.parse('{"__proto__": {"b": "own-proto"}, "constructor": {"b": "own-constructor"}, "x": {"b": 1}}') as unknown },
  { a: Object.assign(Object.create({ inherited: { b: 'not-own' } }) as object, { own: { b: 'own' } }) },
  [{ a: 1 }, { a: 2 }],
];

const PATHS: readonly string[] = [
  'spec.rules[*].host',
  'spec.rules[*]',
  'spec.rules[*].http.paths[*].path',
  'spec.hostAliases[*].hostnames[*]',
  'spec.hostAliases[*].ip',
  'spec.tls[*].hosts[*]',
  'spec.tls.*.hosts[0]',
  "metadata.labels[*]",
  'spec.rules[*].length',
  'spec.rules[*][0]',
  'spec.rules[0][*]',
  'a[*][*]',
  'a.*.*',
  'a[*].b',
  'a[*][0]',
  'a[1][*]',
  'a.b[*]',
  '$[*].a',
  '$[*]',
  'a[*][*][*]',
];

describe('compileFanOut', () => {
  test('selects what jsonpath-plus selects, in its order, over paths and objects with odd corners', () => {
    for (const expr of PATHS) {
      const accessor = compilePath(expr);
      for (const obj of OBJECTS) {
        assert.deepEqual(accessor.get(obj), reference(expr, obj), `${expr} over ${JSON.stringify(obj)}`);
        for (const max of [0, 1, 2, 3]) assert.deepEqual(accessor.get(obj, max), reference(expr, obj, max), `${expr}, at most ${max}`);
      }
    }
  });

  test('agrees with jsonpath-plus on random paths over random values (seeded)', () => {
    const random = seededRandom(16);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const KEYS = ['a', 'b', '*', '0', '1', 'length', 'constructor', '__proto__'];
    const value = (depth: number): unknown => {
      const roll = random();
      if (depth > 3 || roll < 0.25) return pick(['s', '', 'xyz', 0, 1, true, false, null]);
      if (roll < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      const obj: Record<string, unknown> = {};
      for (let i = Math.floor(random() * 4); i > 0; i--) Object.defineProperty(obj, pick(KEYS), { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
      return obj;
    };
    const step = (): string => pick(['[*]', '[*]', '.a', '.b', '[0]', '[1]', '.length', '.constructor']);
    for (let i = 0; i < 3_000; i++) {
      const steps = Array.from({ length: 1 + Math.floor(random() * 4) }, step);
      if (!steps.includes('[*]')) steps.push('[*]');
      const expr = `$${steps.join('')}`;
      const obj = value(0);
      assert.deepEqual(compilePath(expr).get(obj), reference(expr, obj), `case ${i}: ${expr} over ${JSON.stringify(obj)}`);
    }
  });

  test('leaves unions, slices and descendant steps to jsonpath-plus', () => {
    for (const expr of ["spec['a','b']", 'spec.rules[0:2]', 'spec..host', 'spec.rules[0,1].host']) {
      const parsed = parsePath(expr);
      assert.equal(parsed.segments.every((s) => s.kind === 'key' || s.kind === 'index' || s.kind === 'wildcard'), false);
      assert.deepEqual(compilePath(expr).get(OBJECTS[0]), reference(expr, OBJECTS[0]), expr);
    }
    assert.equal(compileFanOut("$['a']..['b']"), undefined, 'a step jsonpath-plus reads specially is not compiled');
    assert.equal(compileFanOut("$['a','b'][*]"), undefined);
  });
});
