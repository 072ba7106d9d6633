import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { configNotes, parseConfig } from '../../src/config/index.ts';

describe('configNotes', () => {
  test('names every multi-valued index_by expression with the position of its resource and its key path', () => {
    const config = parseConfig(
      [
        'watched_resources:',
        '  services: {api_version: v1, kind: Service}',
        '  ingresses:',
        '    api_version: networking.k8s.io/v1',
        '    kind: Ingress',
        '    index_by: [metadata.namespace, "spec.rules[*].host", "spec.tls[0].secretName", "$..secretName"]',
        'source: {files: {path: manifests}}',
        '',
      ].join('\n'),
      '/cfg/config.yaml',
    );
    const notes = configNotes(config);
    assert.equal(notes.length, 2);
    assert.match(notes[0]!, /^\/cfg\/config\.yaml:3:\d+: watched_resources\.ingresses\.index_by\[1\]: "spec\.rules\[\*\]\.host" is multi-valued: each object is filed under every value/);
    assert.match(notes[1]!, /watched_resources\.ingresses\.index_by\[3\]: "\$\.\.secretName" is multi-valued/);
  });

  test('a config whose index_by expressions are simple paths has no notes', () => {
    const config = parseConfig('watched_resources:\n  services: {api_version: v1, kind: Service}\nsource: {files: {path: m}}\n', '/cfg/config.yaml');
    assert.deepEqual(configNotes(config), []);
  });
});
