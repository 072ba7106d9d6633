import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyExtractor, isKeyProblem } from '../../src/indexer/index.ts';
import { PathError } from '../../src/path/index.ts';

const endpointSlice = {
  metadata: {
    namespace: 'shop',
    name: 'web-x1y2',
    labels: { 'kubernetes.io/service-name': 'web', 'app.kubernetes.io/name': 'shop-web' },
    generation: 3,
  },
  endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }],
  ports: [{ name: 'http', port: 8080 }],
  owner: null,
};

describe('KeyExtractor', () => {
  const keys: Array<[exprs: string[], key: string[]]> = [
    [['metadata.namespace', 'metadata.name'], ['shop', 'web-x1y2']],
    [["metadata.labels['app.kubernetes.io/name']"], ['shop-web']],
    [['metadata.labels["kubernetes.io/service-name"]', 'metadata.namespace'], ['web', 'shop']],
    [['ports[0].port', 'metadata.generation'], ['8080', '3']],
    [['endpoints[0].conditions.ready'], ['true']],
    [['ports[*].name'], ['http']],
    [['ports[-1:].port'], ['8080']],
    [['endpoints[*].addresses[*]'], ['10.0.0.1']],
  ];
  for (const [exprs, key] of keys) {
    test(`${exprs.join(' + ')} extracts ${JSON.stringify(key)}`, () => {
      assert.deepEqual(new KeyExtractor(exprs).extract(endpointSlice), key);
    });
  }

  test('simple paths and jsonpath-plus expressions produce the same key for the same field', () => {
    const compiled = new KeyExtractor(["metadata.labels['app.kubernetes.io/name']"]);
    const fallback = new KeyExtractor(["metadata.labels['app.kubernetes.io/name','no-such-label']"]);
    assert.deepEqual(compiled.extract(endpointSlice), fallback.extract(endpointSlice));
  });

  const problems: Array<[expr: string, reason: string]> = [
    ['metadata.labels.missing', 'no value'],
    ['owner', 'no value'],
    ['metadata.labels', 'an object (expected a string, number or boolean)'],
    ['endpoints', 'an array (expected a string, number or boolean)'],
    ['nothing[*].here', 'no value'],
  ];
  for (const [expr, reason] of problems) {
    test(`${expr} is a key problem: ${reason}`, () => {
      const result = new KeyExtractor(['metadata.namespace', expr]).extract(endpointSlice);
      assert.ok(isKeyProblem(result));
      assert.deepEqual(result, { expr, reason });
    });
  }

  test('the first failing expression is the one reported', () => {
    const result = new KeyExtractor(['spec.a', 'spec.b']).extract(endpointSlice);
    assert.deepEqual(result, { expr: 'spec.a', reason: 'no value' });
  });

  test('an expression that does not parse is refused when compiled', () => {
    assert.throws(() => new KeyExtractor(['metadata.labels[?(@.x)]']), PathError);
  });
});

const ingress = {
  metadata: { namespace: 'shop', name: 'web', labels: { tier: 'front', team: 'shop' } },
  spec: {
    rules: [{ host: 'shop.example.com' }, { host: 'www.example.com' }, { host: 'shop.example.com' }, {}, { host: null }],
    tls: [{ secretName: 'shop-tls' }, { secretName: 'www-tls' }],
    weights: [3, true],
    nested: [{ host: { bad: true } }],
  },
};

describe('KeyExtractor with multi-valued expressions', () => {
  test('names the expressions that may select several values', () => {
    const extractor = new KeyExtractor(['metadata.namespace', 'spec.rules[*].host', 'spec.rules[0].host', '$..secretName']);
    assert.deepEqual(extractor.multiValued, ['spec.rules[*].host', '$..secretName']);
    assert.deepEqual(new KeyExtractor(['metadata.namespace', 'metadata.name']).multiValued, []);
  });

  test('files the object under each distinct value, in document order; absent and null values are skipped', () => {
    const result = new KeyExtractor(['spec.rules[*].host']).extract(ingress);
    assert.deepEqual(result, [['shop.example.com'], ['www.example.com']]);
  });

  test('several components make the cross product, the first varying slowest', () => {
    const result = new KeyExtractor(['metadata.namespace', 'spec.rules[*].host', 'spec.tls[*].secretName']).extract(ingress);
    assert.deepEqual(result, [
      ['shop', 'shop.example.com', 'shop-tls'],
      ['shop', 'shop.example.com', 'www-tls'],
      ['shop', 'www.example.com', 'shop-tls'],
      ['shop', 'www.example.com', 'www-tls'],
    ]);
  });

  test('label values by wildcard, numbers and booleans as text', () => {
    assert.deepEqual(new KeyExtractor(['metadata.labels.*']).extract(ingress), [['front'], ['shop']]);
    assert.deepEqual(new KeyExtractor(['spec.weights[*]']).extract(ingress), [['3'], ['true']]);
  });

  test('a multi-valued expression that selects one value gives a single key', () => {
    const result = new KeyExtractor(['metadata.name', 'spec.tls[0:1].secretName']).extract(ingress);
    assert.deepEqual(result, ['web', 'shop-tls']);
  });

  const problems: Array<[exprs: string[], problem: { expr: string; reason: string }]> = [
    [['spec.backends[*].name'], { expr: 'spec.backends[*].name', reason: 'no value' }],
    [['spec.rules[3:].host'], { expr: 'spec.rules[3:].host', reason: 'no value' }],
    [['spec.nested[*].host'], { expr: 'spec.nested[*].host', reason: 'an object among its values (expected strings, numbers or booleans)' }],
    [['spec.tls'], { expr: 'spec.tls', reason: 'an array (expected a string, number or boolean)' }],
    [['metadata.namespace', 'spec.missing', 'spec.rules[*].host'], { expr: 'spec.missing', reason: 'no value' }],
  ];
  for (const [exprs, problem] of problems) {
    test(`${exprs.join(' + ')}: ${problem.reason}`, () => {
      const result = new KeyExtractor(exprs).extract(ingress);
      assert.ok(isKeyProblem(result));
      assert.deepEqual(result, problem);
    });
  }

  test('more keys than the bound leaves the object out, naming the multi-valued expressions and the count', () => {
    const extractor = new KeyExtractor(['spec.rules[*].host', 'spec.tls[*].secretName'], { maxKeys: 3 });
    assert.deepEqual(extractor.extract(ingress), {
      expr: 'spec.rules[*].host, spec.tls[*].secretName',
      reason: '4 keys (at most 3 per object)',
    });
    assert.ok(!isKeyProblem(new KeyExtractor(['spec.rules[*].host'], { maxKeys: 2 }).extract(ingress)));
  });

  test('the default bound is 1,024 keys per object', () => {
    const hosts = Array.from({ length: 1025 }, (_, i) => ({ host: `h${i}.example.com` }));
    const result = new KeyExtractor(['spec.rules[*].host']).extract({ spec: { rules: hosts } });
    assert.deepEqual(result, { expr: 'spec.rules[*].host', reason: '1025 keys (at most 1024 per object)' });
    const fits = new KeyExtractor(['spec.rules[*].host']).extract({ spec: { rules: hosts.slice(0, 1024) } });
    assert.equal((fits as string[][]).length, 1024);
  });
});
