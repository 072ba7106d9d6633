import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldStripper } from '../../src/indexer/index.ts';
import { PathError } from '../../src/path/index.ts';

const LAST_APPLIED = "metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']";
const DEFAULT_REMOVE_FIELDS = ['metadata.managedFields', LAST_APPLIED];

function service() {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'web',
      namespace: 'shop',
      labels: { app: 'web' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":true}', keep: 'me' },
      managedFields: [{ manager: 'kubectl', fieldsV1: {} }],
    },
    spec: { ports: [{ port: 80 }, { port: 443 }, { port: 8080 }] },
    status: { loadBalancer: {} },
  };
}

describe('FieldStripper', () => {
  test('removes managedFields and the last-applied annotation and keeps other annotations', () => {
    const stripped = new FieldStripper(DEFAULT_REMOVE_FIELDS).strip(service());
    assert.deepEqual(stripped.metadata, {
      name: 'web',
      namespace: 'shop',
      labels: { app: 'web' },
      annotations: { keep: 'me' },
    });
  });

  test('never modifies the object it is given', () => {
    const input = service();
    const before = structuredClone(input);
    new FieldStripper([...DEFAULT_REMOVE_FIELDS, 'status', 'spec.ports[1]']).strip(input);
    assert.deepEqual(input, before);
  });

  test('copies only the containers on a removed path and shares everything else', () => {
    const input = service();
    const stripped = new FieldStripper(DEFAULT_REMOVE_FIELDS).strip(input);
    assert.notEqual(stripped, input);
    assert.notEqual(stripped.metadata, input.metadata);
    assert.notEqual(stripped.metadata.annotations, input.metadata.annotations);
    assert.equal(stripped.metadata.labels, input.metadata.labels);
    assert.equal(stripped.spec, input.spec);
    assert.equal(stripped.status, input.status);
  });

  test('returns the very same object when no removed field is present', () => {
    const input = { metadata: { name: 'plain', annotations: { keep: 'me' } }, spec: {} };
    assert.equal(new FieldStripper([...DEFAULT_REMOVE_FIELDS, 'status', 'spec.ports[3]']).strip(input), input);
  });

  test('keeps the remaining keys in their original order', () => {
    const stripped = new FieldStripper(['metadata.managedFields']).strip(service());
    assert.deepEqual(Object.keys(stripped.metadata), ['name', 'namespace', 'labels', 'annotations']);
    assert.deepEqual(Object.keys(stripped), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  });

  test('array indices address the elements as received, even when several are removed', () => {
    const stripped = new FieldStripper(['spec.ports[0]', 'spec.ports[1]']).strip(service());
    assert.deepEqual(stripped.spec.ports, [{ port: 8080 }]);
  });

  test('removes a field inside an array element', () => {
    const input = { spec: { rules: [{ host: 'a', secret: 'x' }, { host: 'b', secret: 'y' }] } };
    const stripped = new FieldStripper(["spec.rules[1]['secret']"]).strip(input);
    assert.deepEqual(stripped.spec.rules, [{ host: 'a', secret: 'x' }, { host: 'b' }]);
    assert.equal(stripped.spec.rules[0], input.spec.rules[0]);
  });

  test('a removed field wins over a deeper path below it, in either order', () => {
    for (const exprs of [['metadata', 'metadata.labels.app'], ['metadata.labels.app', 'metadata']]) {
      const stripped = new FieldStripper(exprs).strip(service());
      assert.equal('metadata' in stripped, false, exprs.join(', '));
    }
  });

  test('paths that run through a scalar, null or a missing key remove nothing', () => {
    const input = { metadata: { name: 'x', labels: null }, spec: 'text' };
    const stripper = new FieldStripper(['metadata.labels.app', 'spec.inner', 'status.x', 'metadata.name.length']);
    assert.equal(stripper.strip(input), input);
  });

  test('a key named __proto__ survives as an own property of the copy', () => {
    const input = JSON.parse('{"metadata":{"name":"x","drop":1,"__proto__":{"kept":true}}}');
    const stripped = new FieldStripper(['metadata.drop']).strip(input);
    assert.deepEqual(Object.keys(stripped.metadata), ['name', '__proto__']);
    assert.equal(Object.getPrototypeOf(stripped.metadata), Object.prototype);
  });

  test('an expression that is not a simple path is refused with a PathError', () => {
    assert.throws(() => new FieldStripper(['metadata.annotations.*']), PathError);
    assert.throws(() => new FieldStripper(['metadata[']), PathError);
  });
});
