import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../src/k8s.ts';
import { isSecret, maskSecretValues, parseListen, redactObject, REDACTED } from '../../src/server/index.ts';

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n';

function secret(): KubeObject {
  return Object.freeze({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: Object.freeze({
      name: 'tls',
      namespace: 'shop',
      annotations: Object.freeze({ 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"tls.key":"..."}}', team: 'web' }),
    }),
    data: Object.freeze({ 'tls.key': Buffer.from(PEM).toString('base64') }),
    stringData: Object.freeze({ password: 'hunter2-hunter2' }),
  }) as KubeObject;
}

describe('redactObject', () => {
  test('replaces the values of data and stringData and the last-applied annotation, keeping the keys', () => {
    const redacted = redactObject(secret());
    assert.deepEqual(redacted.data, { 'tls.key': REDACTED });
    assert.deepEqual(redacted.stringData, { password: REDACTED });
    assert.deepEqual(redacted.metadata.annotations, { 'kubectl.kubernetes.io/last-applied-configuration': REDACTED, team: 'web' });
    assert.equal(redacted.metadata.name, 'tls');
  });

  test('leaves objects that are not Secrets as they are, unless their store is known to hold Secrets', () => {
    const config: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
    assert.equal(redactObject(config), config);
    assert.deepEqual(redactObject({ metadata: { name: 'x' }, data: { a: 'b' } }, true).data, { a: REDACTED });
    assert.equal(isSecret({ apiVersion: 'example.com/v1', kind: 'Secret', metadata: { name: 'x' } }), false);
  });
});

describe('maskSecretValues', () => {
  test('masks values verbatim (base64), decoded, and line by line', () => {
    const s = secret();
    const b64 = (s.data as Record<string, string>)['tls.key']!;
    const text = `key ${b64}\n${PEM}line only: MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\npassword hunter2-hunter2\nport 80\n`;
    const masked = maskSecretValues(text, [s]);
    assert.equal(masked, `key ${REDACTED}\n${REDACTED}line only: ${REDACTED}\npassword ${REDACTED}\nport 80\n`);
  });
});

describe('parseListen', () => {
  test('parses host:port forms, with an empty host meaning every interface', () => {
    assert.deepEqual(parseListen('0.0.0.0:8080'), { host: '0.0.0.0', port: 8080 });
    assert.deepEqual(parseListen(':9090'), { host: undefined, port: 9090 });
    assert.deepEqual(parseListen('[::1]:0'), { host: '::1', port: 0 });
    assert.throws(() => parseListen('localhost'), /invalid listen address "localhost"/);
    assert.throws(() => parseListen('a:70000'), /invalid listen address/);
  });
});
