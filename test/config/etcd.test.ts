import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig, type ConfigProblem } from '../../src/config/index.ts';

const FILE = '/srv/informant/config.yaml';
const lines = (...rows: string[]) => `${rows.join('\n')}\n`;
const PUBLISHED = ['watched_resources:', '  services:', '    api_version: v1', '    kind: Service', '    store: etcd'];

/** `line:col path: message` of every problem parseConfig reports for `text`. */
function problemsOf(text: string): string[] {
  try {
    parseConfig(text, FILE);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p: ConfigProblem) => `${p.line}:${p.col} ${p.path}: ${p.message}`);
    throw err;
  }
  assert.fail('expected a ConfigError');
}

describe('publish.etcd', () => {
  test('normalizes the connection: defaults, milliseconds and paths resolved against the config folder', () => {
    const config = parseConfig(
      lines(
        ...PUBLISHED,
        'publish:',
        '  etcd:',
        '    endpoints: [https://etcd-0:2379, https://etcd-1:2379]',
        '    cluster: east',
        '    tls: {ca_file: etcd/ca.pem, cert_file: etcd/client.pem, key_file: /keys/client-key.pem}',
        '    auth: {username: informant, password_file: etcd/password}',
      ),
      FILE,
    );
    assert.deepEqual(config.publish, {
      etcd: {
        endpoints: ['https://etcd-0:2379', 'https://etcd-1:2379'],
        prefix: 'informant',
        dialTimeoutMs: 5000,
        cluster: 'east',
        tls: { caFile: '/srv/informant/etcd/ca.pem', certFile: '/srv/informant/etcd/client.pem', keyFile: '/keys/client-key.pem' },
        auth: { username: 'informant', passwordFile: '/srv/informant/etcd/password' },
      },
    });
    assert.equal(config.watchedResources[0]?.store, 'etcd');
  });

  test('takes prefix and dial_timeout as written', () => {
    const config = parseConfig(
      lines(...PUBLISHED, 'publish:', '  etcd: {endpoints: [http://127.0.0.1:23790], cluster: c1, prefix: /prod/informant, dial_timeout: 1500ms}'),
      FILE,
    );
    assert.equal(config.publish?.etcd?.prefix, '/prod/informant');
    assert.equal(config.publish?.etcd?.dialTimeoutMs, 1500);
  });

  test('leaves publish out of the config when it is not written', () => {
    assert.equal(parseConfig('watched_resources: {}\n', FILE).publish, undefined);
  });

  test('reports store: etcd without publish.etcd at the store key, naming what is missing', () => {
    assert.deepEqual(problemsOf(lines(...PUBLISHED)), [
      '5:5 watched_resources.services.store: store: etcd publishes this resource, so it needs publish.etcd (the etcd to publish to and the cluster name)',
    ]);
  });

  test('reports publish.etcd when no watched resource uses store: etcd', () => {
    assert.deepEqual(problemsOf(lines('publish:', '  etcd: {endpoints: [http://127.0.0.1:23790], cluster: c1}')), [
      '2:3 publish.etcd: no watched resource uses store: etcd, so there is nothing to publish (set store: etcd on the resources to publish)',
    ]);
  });

  test('reports a missing cluster, a bad cluster name, a bad endpoint and a bad dial timeout, each at its place', () => {
    assert.deepEqual(problemsOf(lines(...PUBLISHED, 'publish:', '  etcd:', '    endpoints: [etcd:2379]', '    dial_timeout: soon')), [
      '7:3 publish.etcd.cluster: is required',
      '8:17 publish.etcd.endpoints[0]: invalid endpoint "etcd:2379": use http://host:port or https://host:port',
      '9:19 publish.etcd.dial_timeout: invalid duration "soon": use a number followed by ms, s, m or h',
    ]);
    assert.deepEqual(problemsOf(lines(...PUBLISHED, 'publish:', '  etcd: {endpoints: [http://e:2379], cluster: a/b}')), [
      '7:47 publish.etcd.cluster: invalid cluster name "a/b": use letters, digits, ., _ and -, starting with a letter or digit (it is a key segment)',
    ]);
  });

  test('reports an empty endpoint list, a certificate without its key, and http endpoints with tls', () => {
    assert.deepEqual(problemsOf(lines(...PUBLISHED, 'publish:', '  etcd: {endpoints: [], cluster: c}')), [
      '7:21 publish.etcd.endpoints: needs at least one endpoint',
    ]);
    assert.deepEqual(
      problemsOf(lines(...PUBLISHED, 'publish:', '  etcd:', '    endpoints: [http://e:2379]', '    cluster: c', '    tls: {cert_file: c.pem}')),
      [
        '8:17 publish.etcd.endpoints[0]: tls is set, so use https:// (this endpoint would not use TLS)',
        '10:11 publish.etcd.tls.cert_file: needs key_file (the private key of this certificate)',
      ],
    );
  });

  test('reports an unknown key with the allowed ones, and auth without its password file', () => {
    assert.deepEqual(
      problemsOf(lines(...PUBLISHED, 'publish:', '  etcd:', '    endpoints: [http://e:2379]', '    cluster: c', '    auth: {username: u}', '    ttl: 1s')),
      ['10:5 publish.etcd.auth.password_file: is required', '11:5 publish.etcd.ttl: unknown key "ttl"; allowed: endpoints, prefix, dial_timeout, tls, auth, cluster'],
    );
  });
});

describe('source.etcd', () => {
  test('reads every cluster by default and resolves its files against the config folder', () => {
    const config = parseConfig(lines('source:', '  etcd:', '    endpoints: [https://etcd:2379]', '    tls: {ca_file: ca.pem}'), FILE);
    assert.deepEqual(config.source, {
      kind: 'etcd',
      etcd: { endpoints: ['https://etcd:2379'], prefix: 'informant', dialTimeoutMs: 5000, clusters: 'all', tls: { caFile: '/srv/informant/ca.pem' } },
    });
  });

  test('takes a list of clusters', () => {
    const config = parseConfig(lines('source:', '  etcd: {endpoints: [http://e:2379], clusters: [east, west]}'), FILE);
    assert.deepEqual(config.source.etcd?.clusters, ['east', 'west']);
  });

  test('reports clusters that are neither all nor a list of names', () => {
    assert.deepEqual(problemsOf(lines('source:', '  etcd: {endpoints: [http://e:2379], clusters: some}')), [
      '2:48 source.etcd.clusters: expected all or a list of cluster names, got a string ("some")',
    ]);
    assert.deepEqual(problemsOf(lines('source:', '  etcd: {endpoints: [http://e:2379], clusters: []}')), [
      '2:48 source.etcd.clusters: needs at least one cluster (or write all)',
    ]);
  });

  test('reports etcd next to another source', () => {
    assert.deepEqual(problemsOf(lines('source:', '  files: {path: m}', '  etcd: {endpoints: [http://e:2379]}')), [
      '3:3 source.etcd: set either files or etcd, not both',
    ]);
  });

  test('reports store: etcd on a resource read from etcd, which would publish what it reads', () => {
    const text = lines(...PUBLISHED, 'source:', '  etcd: {endpoints: [http://e:2379]}', 'publish:', '  etcd: {endpoints: [http://e:2379], cluster: c}');
    assert.deepEqual(problemsOf(text), [
      '5:5 watched_resources.services.store: store: etcd cannot be used with source: etcd (it would publish what it reads from etcd); use store: full',
    ]);
  });
});
