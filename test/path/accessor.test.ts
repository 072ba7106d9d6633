import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { JSONPath } from 'jsonpath-plus';
import { PathError, canonicalPath, compilePath, parsePath } from '../../src/path/index.ts';

const ingress = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: {
    name: 'web',
    namespace: 'shop',
    labels: { app: 'web', tier: 'front' },
    annotations: { 'a.b/c': 'dotted', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    finalizers: null,
  },
  spec: {
    ingressClassName: 'haproxy',
    tls: [{ secretName: 'tls-a', hosts: ['a.example'] }, { secretName: 'tls-b', hosts: ['b.example'] }],
    rules: [
      { host: 'a.example', http: { paths: [{ path: '/' }, { path: '/api' }] } },
      { host: 'b.example', http: { paths: [{ path: '/b' }] } },
    ],
  },
};

describe('compilePath', () => {
  const cases: Array<[expr: string, simple: boolean, values: unknown[]]> = [
    ['metadata.namespace', true, ['shop']],
    ['$.metadata.name', true, ['web']],
    ["metadata.labels['app']", true, ['web']],
    ['metadata.annotations["a.b/c"]', true, ['dotted']],
    ['spec.rules[0].host', true, ['a.example']],
    ['spec.rules.1.host', true, ['b.example']],
    ['spec.ingressClassName', true, ['haproxy']],
    ['metadata.finalizers', true, [null]],
    ['metadata.labels', true, [{ app: 'web', tier: 'front' }]],
    ['metadata.labels.missing', true, []],
    ['spec.rules[5].host', true, []],
    ['metadata.name.length', true, []],
    ['spec.rules.length', true, []],
    ['metadata.constructor', true, []],
    ['metadata.__proto__', true, []],
    ['metadata.labels.toString', true, []],
    ['spec.tls[*].secretName', false, ['tls-a', 'tls-b']],
    ['spec.tls.*.hosts[0]', false, ['a.example', 'b.example']],
    ['metadata.labels.*', false, ['web', 'front']],
    ['spec..path', false, ['/', '/api', '/b']],
    ['spec.rules[*].http.paths[*].path', false, ['/', '/api', '/b']],
    ["metadata.labels['app','tier']", false, ['web', 'front']],
    ["metadata.labels['app','nope']", false, ['web']],
    ['spec.rules[0,1].host', false, ['a.example', 'b.example']],
    ['spec.rules[-1:].host', false, ['b.example']],
    ['spec.rules[:1].host', false, ['a.example']],
    ['spec.missing[*]', false, []],
    ["spec.tls[*]['no-such-key']", false, []],
  ];
  for (const [expr, simple, values] of cases) {
    test(`${expr} selects ${JSON.stringify(values)}`, () => {
      const accessor = compilePath(expr);
      assert.equal(accessor.expr, expr);
      assert.equal(accessor.simple, simple);
      assert.deepEqual(accessor.get(ingress), values);
    });
  }

  test('a simple path selects what jsonpath-plus selects for ordinary objects', () => {
    const docs: unknown[] = [ingress, { metadata: {} }, { spec: { rules: [] } }, { metadata: { labels: { app: '' } } }];
    const exprs = ['metadata.namespace', "metadata.labels['app']", 'spec.rules[0].host', 'metadata.annotations["a.b/c"]'];
    for (const expr of exprs) {
      const accessor = compilePath(expr);
      for (const doc of docs) {
        const reference = JSONPath({ path: canonicalPath(parsePath(expr)), json: doc as object, eval: false, wrap: true });
        assert.deepEqual(accessor.get(doc), reference, `${expr} on ${JSON.stringify(doc)}`);
      }
    }
  });

  test('selects nothing from null, primitives and arrays without throwing', () => {
    for (const expr of ['metadata.name', 'spec.tls[*].secretName', '$..name']) {
      const accessor = compilePath(expr);
      for (const input of [null, undefined, 0, '', 'metadata', true, [], [1, 2]]) {
        assert.deepEqual(accessor.get(input), [], `${expr} on ${JSON.stringify(input)}`);
      }
    }
  });

  test('returns the object\'s own values, not copies', () => {
    const [labels] = compilePath('metadata.labels').get(ingress);
    assert.equal(labels, ingress.metadata.labels);
    const [tls] = compilePath('spec.tls[0:1]').get(ingress);
    assert.equal(tls, ingress.spec.tls[0]);
  });

  test('never mutates the object it reads', () => {
    const doc = structuredClone(ingress);
    for (const expr of ['metadata.labels.app', 'spec..path', 'spec.rules[*].host', "metadata.labels['app','tier']"]) {
      compilePath(expr).get(doc);
    }
    assert.deepEqual(doc, ingress);
  });

  test('reads keys containing quotes, dots and brackets in simple paths', () => {
    const doc = { data: { "it's": 1, 'say "hi"': 2, 'a.b': 3, 'x]y': 4, 'back\\slash': 5 } };
    assert.deepEqual(compilePath("data['it\\'s']").get(doc), [1]);
    assert.deepEqual(compilePath('data["say \\"hi\\""]').get(doc), [2]);
    assert.deepEqual(compilePath("data['a.b']").get(doc), [3]);
    assert.deepEqual(compilePath("data['x]y']").get(doc), [4]);
    assert.deepEqual(compilePath("data['back\\\\slash']").get(doc), [5]);
  });

  test('throws PathError for an expression that does not parse', () => {
    assert.throws(() => compilePath('spec.ports[?(@.port==80)]'), PathError);
    assert.throws(() => compilePath('metadata.'), PathError);
  });
});
