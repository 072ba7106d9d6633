import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/k8s.ts';
import {
  canonicalJson,
  contentVersion,
  syntheticUid,
  withSyntheticMetadata,
} from '../../../src/watcher/files/synthetic-metadata.ts';

const svc = (name: string, namespace = 'ns', apiVersion = 'v1'): KubeObject => ({
  apiVersion, kind: 'Service', metadata: { name, namespace },
});

describe('synthetic metadata', () => {
  test('canonicalJson ignores key order at every level but not array order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: null } }), canonicalJson({ a: { c: null, d: [2, 1] }, b: 1 }));
    assert.notEqual(canonicalJson({ a: [1, 2] }), canonicalJson({ a: [2, 1] }));
  });

  test('syntheticUid is a stable version 5 UUID per group, kind, namespace and name', () => {
    const uid = syntheticUid(svc('a'));
    assert.match(uid, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(syntheticUid(svc('a')), uid);
    assert.notEqual(syntheticUid(svc('b')), uid);
    assert.notEqual(syntheticUid(svc('a', 'other')), uid);
    assert.notEqual(syntheticUid({ ...svc('a'), kind: 'Pod' }), uid);
    assert.equal(
      syntheticUid(svc('a', 'ns', 'example.com/v1')),
      syntheticUid(svc('a', 'ns', 'example.com/v2')),
      'the same object seen through two versions of its group has one uid',
    );
  });

  test('contentVersion changes exactly when the content changes', () => {
    const v1 = contentVersion(canonicalJson({ a: 1, b: 2 }));
    assert.equal(contentVersion(canonicalJson({ b: 2, a: 1 })), v1);
    assert.notEqual(contentVersion(canonicalJson({ a: 1, b: 3 })), v1);
  });

  test('withSyntheticMetadata fills uid and resourceVersion on a copy, keeping ones the file gives', () => {
    const original = svc('a');
    const delivered = withSyntheticMetadata(original, canonicalJson(original));
    assert.equal(delivered.metadata.uid, syntheticUid(original));
    assert.equal(delivered.metadata.resourceVersion, contentVersion(canonicalJson(original)));
    assert.deepEqual(original.metadata, { name: 'a', namespace: 'ns' }, 'the input is not mutated');
    const given: KubeObject = { ...svc('b'), metadata: { name: 'b', uid: 'u-1', resourceVersion: '42' } };
    const kept = withSyntheticMetadata(given, canonicalJson(given));
    assert.equal(kept.metadata.uid, 'u-1');
    assert.equal(kept.metadata.resourceVersion, '42');
  });
});
