import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../src/k8s.ts';
import { REDACTED, SecretMask } from '../../src/secrets/index.ts';

const secret = (data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's' },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});

describe('SecretMask', () => {
  test('masks long values as stored, decoded and line by line; leaves short ones alone outside messages', () => {
    const mask = new SecretMask([secret({ key: 'line-one-of-it\nline-two-of-it', pin: 'Zq9!xw' })]);
    const stored = Buffer.from('line-one-of-it\nline-two-of-it').toString('base64');
    assert.equal(mask.apply(`a ${stored} b line-two-of-it c Zq9!xw`), `a ${REDACTED} b ${REDACTED} c Zq9!xw`);
  });

  test('in messages, masks short values as whole words only, and never values under four characters', () => {
    const mask = new SecretMask([secret({ pin: 'Zq9!xw', port: '80', word: 'true' })], { shortValues: true });
    assert.equal(mask.apply('password Zq9!xw\n'), `password ${REDACTED}\n`);
    assert.equal(mask.apply('aZq9!xwb'), 'aZq9!xwb', 'inside a longer word it is something else');
    assert.equal(mask.apply('listen 8080; port 80'), 'listen 8080; port 80');
    assert.equal(mask.apply('enabled: true; untrue'), `enabled: ${REDACTED}; untrue`);
  });

  test('SecretMask.none changes nothing', () => {
    assert.equal(SecretMask.none.empty, true);
    assert.equal(SecretMask.none.apply('anything'), 'anything');
  });
});
