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
    ['metadata.labels.*', '2 values (expected one)'],
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
