import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PathError, compileRemoval, removePath, withoutPath } from '../../src/path/index.ts';

const LAST_APPLIED = "metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']";

function sample() {
  return {
    metadata: {
      name: 'web',
      managedFields: [{ manager: 'kubectl' }],
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', keep: 'me' },
    },
    spec: { ports: [{ port: 80 }, { port: 443 }, { port: 8080 }] },
    status: { loadBalancer: {} },
  };
}

describe('compileRemoval', () => {
  const accepted: Array<[expr: string, segments: Array<string | number>]> = [
    ['metadata.managedFields', ['metadata', 'managedFields']],
    ['status', ['status']],
    ['$.status', ['status']],
    [LAST_APPLIED, ['metadata', 'annotations', 'kubectl.kubernetes.io/last-applied-configuration']],
    ['spec.ports[1]', ['spec', 'ports', 1]],
  ];
  for (const [expr, segments] of accepted) {
    test(`compiles ${expr} into its key and index steps`, () => {
      const removal = compileRemoval(expr);
      assert.equal(removal.expr, expr);
      assert.deepEqual(removal.segments, segments);
      assert.ok(Object.isFrozen(removal.segments));
    });
  }

  const rejected: Array<[expr: string, offset: number, fragment: string]> = [
    ['metadata.annotations.*', 21, 'remove_fields accepts only keys and indices, not a wildcard'],
    ['spec.ports[*].name', 10, 'not a wildcard'],
    ['$..managedFields', 1, "not recursive descent '..'"],
    ["metadata.labels['a','b']", 15, 'not a union'],
    ['spec.ports[1:]', 10, 'not a slice'],
    ['metadata[?(@.x)]', 9, 'filter and script expressions are not allowed'],
    ['metadata.', 9, "expected a key or '*'"],
  ];
  for (const [expr, offset, fragment] of rejected) {
    test(`refuses ${expr} at offset ${offset}`, () => {
      assert.throws(
        () => compileRemoval(expr),
        (err: unknown) =>
          err instanceof PathError && err.offset === offset && err.message.includes(fragment),
      );
    });
  }
});

describe('removePath', () => {
  test('deletes a nested field in place and reports it', () => {
    const obj = sample();
    assert.equal(removePath(obj, compileRemoval(LAST_APPLIED)), true);
    assert.deepEqual(obj.metadata.annotations, { keep: 'me' });
  });

  test('deletes a top-level field', () => {
    const obj = sample();
    assert.equal(removePath(obj, compileRemoval('status')), true);
    assert.equal('status' in obj, false);
  });

  test('splices an array element so later elements move up', () => {
    const obj = sample();
    assert.equal(removePath(obj, compileRemoval('spec.ports[1]')), true);
    assert.deepEqual(obj.spec.ports, [{ port: 80 }, { port: 8080 }]);
  });

  test('leaves the object alone when the field or a parent is missing', () => {
    for (const expr of ['metadata.labels.app', 'spec.ports[7]', 'metadata.name.first', 'nothing.here']) {
      const obj = sample();
      assert.equal(removePath(obj, compileRemoval(expr)), false, expr);
      assert.deepEqual(obj, sample(), expr);
    }
  });

  test('never removes inherited properties', () => {
    const obj = sample();
    assert.equal(removePath(obj, compileRemoval('metadata.constructor')), false);
    assert.equal(removePath(obj, compileRemoval('spec.ports.length')), false);
    assert.equal(obj.spec.ports.length, 3);
  });

  test('accepts primitives and null without throwing', () => {
    for (const input of [null, undefined, 1, 'text']) {
      assert.equal(removePath(input, compileRemoval('metadata.name')), false);
    }
  });
});

describe('withoutPath', () => {
  test('returns the same reference when the field is absent', () => {
    const obj = sample();
    assert.equal(withoutPath(obj, compileRemoval('metadata.labels.app')), obj);
  });

  test('copies only the objects along the path and shares the rest', () => {
    const obj = sample();
    const before = structuredClone(obj);
    const stripped = withoutPath(obj, compileRemoval(LAST_APPLIED));
    assert.deepEqual(obj, before, 'the input is not mutated');
    assert.notEqual(stripped, obj);
    assert.notEqual(stripped.metadata, obj.metadata);
    assert.deepEqual(stripped.metadata.annotations, { keep: 'me' });
    assert.equal(stripped.metadata.managedFields, obj.metadata.managedFields);
    assert.equal(stripped.spec, obj.spec);
    assert.equal(stripped.status, obj.status);
  });

  test('removes an array element from a copy of the array', () => {
    const obj = sample();
    const stripped = withoutPath(obj, compileRemoval('spec.ports[0]'));
    assert.deepEqual(stripped.spec.ports, [{ port: 443 }, { port: 8080 }]);
    assert.equal(obj.spec.ports.length, 3);
    assert.equal(stripped.spec.ports[0], obj.spec.ports[1]);
  });

  test('works on frozen objects', () => {
    const obj = sample();
    const frozen = Object.freeze({ ...obj, metadata: Object.freeze({ ...obj.metadata }) });
    const stripped = withoutPath(frozen, compileRemoval('metadata.managedFields'));
    assert.equal('managedFields' in stripped.metadata, false);
    assert.equal(frozen.metadata.managedFields, obj.metadata.managedFields);
  });
});
