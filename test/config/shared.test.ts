/**
 * The shared store in config.yaml: publish and source.shared name a backend (etcd,
 * postgres, memory) whose own settings go under its name; flags of a backend set its
 * settings; the old etcd-only spelling is refused with the new one shown.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig, type ConfigOptions, type ConfigProblem } from '../../src/config/index.ts';

const FILE = '/srv/informant/config.yaml';
const lines = (...rows: string[]) => `${rows.join('\n')}\n`;
const PUBLISHED = ['watched_resources:', '  services:', '    api_version: v1', '    kind: Service', '    store: published'];

/** `line:col path: message` of every problem parseConfig reports for `text`. */
function problemsOf(text: string, options: ConfigOptions = {}): string[] {
  try {
    parseConfig(text, FILE, options);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p: ConfigProblem) => `${p.line}:${p.col} ${p.path}: ${p.message}`);
    throw err;
  }
  assert.fail('expected a ConfigError');
}

describe('publish', () => {
  test('names its backend; etcd settings are normalized: defaults, milliseconds, paths resolved against the config folder', () => {
    const config = parseConfig(
      lines(
        ...PUBLISHED,
        'publish:',
        '  backend: etcd',
        '  cluster: east',
        '  etcd:',
        '    endpoints: [https://etcd-0:2379, https://etcd-1:2379]',
        '    tls: {ca_file: etcd/ca.pem, cert_file: etcd/client.pem, key_file: /keys/client-key.pem}',
        '    auth: {username: informant, password_file: etcd/password}',
      ),
      FILE,
    );
    assert.deepEqual(config.publish, {
      backend: 'etcd',
      prefix: 'informant',
      cluster: 'east',
      settings: {
        endpoints: ['https://etcd-0:2379', 'https://etcd-1:2379'],
        dialTimeoutMs: 5000,
        tls: { caFile: '/srv/informant/etcd/ca.pem', certFile: '/srv/informant/etcd/client.pem', keyFile: '/keys/client-key.pem' },
        auth: { username: 'informant', passwordFile: '/srv/informant/etcd/password' },
      },
    });
    assert.equal(config.watchedResources[0]?.store, 'published');
  });

  test('postgres settings: defaults filled in, durations in ms, files resolved', () => {
    const config = parseConfig(
      lines(...PUBLISHED, 'publish:', '  backend: postgres', '  cluster: east', '  prefix: /prod/informant', '  postgres:', '    url: postgres://informant@db:5432/informant?sslmode=verify-full', '    password_file: pg/password', '    history: {max_age: 30m}'),
      FILE,
    );
    assert.deepEqual(config.publish, {
      backend: 'postgres',
      prefix: '/prod/informant',
      cluster: 'east',
      settings: {
        url: 'postgres://informant@db:5432/informant?sslmode=verify-full',
        passwordFile: '/srv/informant/pg/password',
        schema: 'informant',
        connectTimeoutMs: 5000,
        maxConnections: 4,
        pollIntervalMs: 5000,
        history: { maxAgeMs: 1_800_000, maxRevisions: 100_000 },
      },
    });
  });

  test('memory needs no settings', () => {
    const config = parseConfig(lines(...PUBLISHED, 'publish: {backend: memory, cluster: east}'), FILE);
    assert.deepEqual(config.publish, { backend: 'memory', prefix: 'informant', cluster: 'east', settings: { name: 'default' } });
  });

  test('store: etcd is still accepted, as the former name of published', () => {
    const text = lines(...PUBLISHED.slice(0, 4), '    store: etcd', 'publish: {backend: memory, cluster: east}');
    assert.equal(parseConfig(text, FILE).watchedResources[0]?.store, 'published');
  });

  test('an unknown backend is reported with the available ones', () => {
    assert.deepEqual(problemsOf(lines(...PUBLISHED, 'publish: {backend: mysql, cluster: east}')), [
      '6:20 publish.backend: unknown shared store backend "mysql"; available: etcd, postgres, memory',
    ]);
  });

  test('reports a backend without its settings, and settings of another backend', () => {
    assert.deepEqual(problemsOf(lines(...PUBLISHED, 'publish:', '  backend: postgres', '  cluster: east', '  etcd: {endpoints: [http://e:2379]}')), [
      '7:3 publish.backend: backend postgres needs its settings: postgres: {url: postgres://informant@db:5432/informant, password_file: pg/password}',
      '9:3 publish.etcd: etcd settings are written, but the backend is postgres (set backend: etcd, or remove these)',
    ]);
  });

  test('reports store: published without publish at the store key, and publish with nothing to publish', () => {
    assert.deepEqual(problemsOf(lines(...PUBLISHED)), [
      '5:5 watched_resources.services.store: store: published publishes this resource, so it needs publish (the backend to publish to and the cluster name)',
    ]);
    assert.deepEqual(problemsOf(lines('publish: {backend: memory, cluster: c1}')), [
      '1:1 publish: no watched resource uses store: published, so there is nothing to publish (set store: published on the resources to publish)',
    ]);
  });

  test('reports a missing cluster, a bad endpoint and a bad dial timeout, each at its place', () => {
    assert.deepEqual(problemsOf(lines(...PUBLISHED, 'publish:', '  backend: etcd', '  etcd:', '    endpoints: [etcd:2379]', '    dial_timeout: soon')), [
      '6:1 publish.cluster: is required',
      '9:17 publish.etcd.endpoints[0]: invalid endpoint "etcd:2379": use http://host:port or https://host:port',
      '10:19 publish.etcd.dial_timeout: invalid duration "soon": use a number followed by ms, s, m or h',
    ]);
  });

  test('reports a certificate without its key, http endpoints with tls, and an unknown key with the allowed ones', () => {
    assert.deepEqual(
      problemsOf(lines(...PUBLISHED, 'publish:', '  backend: etcd', '  cluster: c', '  etcd:', '    endpoints: [http://e:2379]', '    tls: {cert_file: c.pem}', '    ttl: 1s')),
      [
        '10:17 publish.etcd.endpoints[0]: tls is set, so use https:// (this endpoint would not use TLS)',
        '11:11 publish.etcd.tls.cert_file: needs key_file (the private key of this certificate)',
        '12:5 publish.etcd.ttl: unknown key "ttl"; allowed: endpoints, dial_timeout, tls, auth',
      ],
    );
  });

  test('reports a postgres URL that is not one, one with a password, and a schema that is no plain identifier', () => {
    assert.deepEqual(problemsOf(lines(...PUBLISHED, 'publish:', '  backend: postgres', '  cluster: c', '  postgres: {url: "mysql://db/x", schema: My-Schema}')), [
      '9:19 publish.postgres.url: expected a postgres:// URL, got mysql://…',
      '9:43 publish.postgres.schema: invalid schema "My-Schema": use lower-case letters, digits and _, starting with a letter or _',
    ]);
    assert.deepEqual(problemsOf(lines(...PUBLISHED, 'publish:', '  backend: postgres', '  cluster: c', '  postgres: {url: "postgres://u:secret@db/x"}')), [
      '9:19 publish.postgres.url: put the password in password_file, not in the URL (the URL shows in logs and /debug/config)',
    ]);
  });

  test('the old spelling publish.etcd is refused with the new one, ready to paste', () => {
    const problems = problemsOf(lines(...PUBLISHED, 'publish:', '  etcd: {endpoints: [http://e:2379], cluster: east, prefix: p}'));
    assert.equal(problems.length, 1);
    assert.equal(
      problems[0],
      [
        '7:3 publish.etcd: the old spelling: publish names its backend now (etcd, postgres or memory). Write instead:',
        '    publish:',
        '      backend: etcd',
        '      cluster: east',
        '      prefix: p',
        '      etcd:',
        '        endpoints:',
        '          - http://e:2379',
      ].join('\n'),
    );
  });
});

describe('source.shared', () => {
  test('reads every cluster by default and resolves its files against the config folder', () => {
    const config = parseConfig(lines('source:', '  shared:', '    backend: etcd', '    etcd: {endpoints: [https://etcd:2379], tls: {ca_file: ca.pem}}'), FILE);
    assert.deepEqual(config.source, {
      kind: 'shared',
      shared: { backend: 'etcd', prefix: 'informant', clusters: 'all', settings: { endpoints: ['https://etcd:2379'], dialTimeoutMs: 5000, tls: { caFile: '/srv/informant/ca.pem' } } },
    });
  });

  test('takes a list of clusters, and reports clusters that are neither all nor a list of names', () => {
    const config = parseConfig(lines('source:', '  shared: {backend: memory, clusters: [east, west]}'), FILE);
    assert.deepEqual(config.source.shared?.clusters, ['east', 'west']);
    assert.deepEqual(problemsOf(lines('source:', '  shared: {backend: memory, clusters: some}')), [
      '2:39 source.shared.clusters: expected all or a list of cluster names, got a string ("some")',
    ]);
  });

  test('reports shared next to another source, and store: published on a resource read from a shared store', () => {
    assert.deepEqual(problemsOf(lines('source:', '  files: {path: m}', '  shared: {backend: memory}')), ['3:3 source.shared: set either files or shared, not both']);
    const text = lines(...PUBLISHED, 'source:', '  shared: {backend: memory}', 'publish: {backend: memory, cluster: c}');
    assert.deepEqual(problemsOf(text), [
      '5:5 watched_resources.services.store: store: published cannot be used with source.shared (it would publish what it reads from the shared store); use store: full',
    ]);
  });

  test('the old spelling source.etcd is refused with the new one', () => {
    assert.deepEqual(problemsOf(lines('source:', '  etcd: {endpoints: [http://e:2379], clusters: [east]}')), [
      [
        '2:3 source.etcd: the old spelling: a renderer reads source.shared now (etcd, postgres or memory). Write instead:',
        '    source:',
        '      shared:',
        '        backend: etcd',
        '        clusters:',
        '          - east',
        '        etcd:',
        '          endpoints:',
        '            - http://e:2379',
      ].join('\n'),
    ]);
  });
});

describe('flags of shared-store backends', () => {
  const renderer = lines('source:', '  shared:', '    backend: postgres', '    postgres: {url: postgres://informant@db/informant}');

  test('set their key where the config uses their backend, over the file', () => {
    const config = parseConfig(renderer, FILE, { sharedFlags: { 'postgres-url': 'postgres://renderer@other:6432/informant', 'postgres-password-file': 'pw' } });
    assert.equal(config.source.shared?.settings['url'], 'postgres://renderer@other:6432/informant');
    assert.equal(config.source.shared?.settings['passwordFile'], `${process.cwd()}/pw`, 'a path flag is relative to the working directory');
  });

  test('a flag of a backend the config does not use, and a bad flag value, are reported naming the flag', () => {
    assert.deepEqual(problemsOf(renderer, { sharedFlags: { 'etcd-endpoints': 'http://e:2379', 'postgres-schema': 'Bad' } }), [
      '0:0 --etcd-endpoints: neither publish nor source.shared uses the etcd backend',
      '0:0 --postgres-schema: invalid schema "Bad": use lower-case letters, digits and _, starting with a letter or _',
    ]);
  });
});
