import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfig, type Config } from '../../src/config/index.ts';

const FILE = '/srv/informant/config.yaml';
const LAST_APPLIED = "metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']";

const FULL = `# yaml-language-server: $schema=docs/config.schema.json
watched_resources:
  ingresses:
    api_version: networking.k8s.io/v1
    kind: Ingress
    namespace: shop
    label_selector: "app in (web,api)"
    field_selector: metadata.name!=skip
    index_by: [metadata.namespace, "metadata.labels['app']"]
    remove_fields: [status, $.metadata.managedFields]
    store: full
  secrets:
    api_version: v1
    resource: secrets
    store: on-demand
    cache_ttl: 1m30s
    max_cache_size: 64
remove_fields:
  - metadata.managedFields
  - metadata['uid']
source:
  kubernetes:
    kubeconfig: kube/config
    context: dev
    page_size: 100
    streaming_list: false
templates:
  haproxy.cfg:
    path: templates/haproxy.cfg.njk
    output: /etc/haproxy/haproxy.cfg
    mode: "0600"
    validate: ["haproxy", "-c", "-f", "{{ file }}"]
    on_change: ["sh", "-c", "kill -USR2 1"]
    backup: true
  hosts:
    inline: |
      {% for i in resources.ingresses %}{{ i.metadata.name }}{% endfor %}
    output: out/hosts
    escape: none
render:
  debounce: 500ms
  max_wait: 1m
  sync_timeout: 2m
  command_timeout: 5s
server:
  listen: "127.0.0.1:8080"
  debug: false
  allow_secrets: true
  readiness: strict
leader_election:
  enabled: true
  lease: informant-ha
  namespace: infra
  identity: replica-a
  lease_duration: 30s
  renew_deadline: 20s
  retry_period: 4s
  on_change_only_leader: false
logging: {level: debug}
`;

describe('parseConfig', () => {
  test('normalizes source.kubernetes.clusters: names kept, kubeconfig paths resolved, defaults left to the source', () => {
    const text = [
      'source:',
      '  kubernetes:',
      '    kubeconfig: kube/config',
      '    clusters:',
      '      - name: eu',
      '      - {name: "root:org:team-a", kubeconfig: kcp.yaml, context: kcp, server: "https://kcp.example:6443/clusters/root:org:team-a"}',
      '',
    ].join('\n');
    const config = parseConfig(text, FILE);
    assert.deepEqual(config.source.kubernetes, {
      kubeconfig: '/srv/informant/kube/config',
      pageSize: 500,
      streamingList: true,
      clusters: [
        { name: 'eu' },
        { name: 'root:org:team-a', kubeconfig: '/srv/informant/kcp.yaml', context: 'kcp', server: 'https://kcp.example:6443/clusters/root:org:team-a' },
      ],
    });
  });

  test('normalizes a full config: camelCase, ms durations, absolute paths, merged remove_fields', () => {
    const expected: Config = {
      file: FILE,
      baseDir: '/srv/informant',
      watchedResources: [
        {
          name: 'ingresses',
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          namespace: 'shop',
          labelSelector: 'app in (web,api)',
          fieldSelector: 'metadata.name!=skip',
          indexBy: ['metadata.namespace', "metadata.labels['app']"],
          removeFields: ['metadata.managedFields', "metadata['uid']", 'status'],
          store: 'full',
          position: { file: FILE, line: 3, col: 3 },
        },
        {
          name: 'secrets',
          apiVersion: 'v1',
          resource: 'secrets',
          namespace: '',
          labelSelector: '',
          fieldSelector: '',
          indexBy: ['metadata.namespace', 'metadata.name'],
          removeFields: ['metadata.managedFields', "metadata['uid']"],
          store: 'on-demand',
          cacheTtlMs: 90_000,
          maxCacheSize: 64,
          position: { file: FILE, line: 12, col: 3 },
        },
      ],
      removeFields: ['metadata.managedFields', "metadata['uid']"],
      vars: {},
      source: {
        kind: 'kubernetes',
        kubernetes: { kubeconfig: '/srv/informant/kube/config', context: 'dev', pageSize: 100, streamingList: false },
      },
      templates: [
        {
          name: 'haproxy.cfg',
          path: '/srv/informant/templates/haproxy.cfg.njk',
          output: '/etc/haproxy/haproxy.cfg',
          mode: 0o600,
          validate: ['haproxy', '-c', '-f', '{{ file }}'],
          onChange: ['sh', '-c', 'kill -USR2 1'],
          backup: true,
          escape: 'line',
          vars: {},
          position: { file: FILE, line: 28, col: 3 },
        },
        {
          name: 'hosts',
          inline: '{% for i in resources.ingresses %}{{ i.metadata.name }}{% endfor %}\n',
          output: '/srv/informant/out/hosts',
          mode: 0o644,
          escape: 'none',
          vars: {},
          position: { file: FILE, line: 35, col: 3 },
        },
      ],
      render: { debounceMs: 500, maxWaitMs: 60_000, syncTimeoutMs: 120_000, commandTimeoutMs: 5_000, timeoutMs: 10_000, memo: { enabled: true, maxBytes: 256 * 1024 * 1024, maxEntries: 250_000 } },
      server: { listen: '127.0.0.1:8080', auth: 'auto', debug: false, debugListen: '127.0.0.1:8081', allowSecrets: true, readiness: 'strict' },
      leaderElection: {
        enabled: true,
        lease: 'informant-ha',
        namespace: 'infra',
        identity: 'replica-a',
        leaseDurationMs: 30_000,
        renewDeadlineMs: 20_000,
        retryPeriodMs: 4_000,
        onChangeOnlyLeader: false,
      },
      limits: { maxObjectBytes: 3 * 1024 * 1024, maxDepth: 128, maxFileBytes: 16 * 1024 * 1024 },
      logging: { level: 'debug' },
    };
    assert.deepEqual(parseConfig(FULL, FILE), expected);
  });

  test('fills in every default for a minimal config', () => {
    const config = parseConfig('watched_resources:\n  pods: {api_version: v1, kind: Pod}\n', FILE);
    assert.deepEqual(config.watchedResources, [
      {
        name: 'pods',
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: '',
        labelSelector: '',
        fieldSelector: '',
        indexBy: ['metadata.namespace', 'metadata.name'],
        removeFields: ['metadata.managedFields', LAST_APPLIED],
        store: 'full',
        position: { file: FILE, line: 2, col: 3 },
      },
    ]);
    assert.deepEqual(config.removeFields, ['metadata.managedFields', LAST_APPLIED]);
    assert.deepEqual(config.source, { kind: 'kubernetes', kubernetes: { pageSize: 500, streamingList: true } });
    assert.deepEqual(config.templates, []);
    assert.deepEqual(config.render, {
      debounceMs: 200,
      maxWaitMs: 2000,
      syncTimeoutMs: 60_000,
      commandTimeoutMs: 30_000,
      timeoutMs: 10_000,
      memo: { enabled: true, maxBytes: 256 * 1024 * 1024, maxEntries: 250_000 },
    });
    assert.deepEqual(config.limits, { maxObjectBytes: 3 * 1024 * 1024, maxDepth: 128, maxFileBytes: 16 * 1024 * 1024 });
    assert.deepEqual(config.server, { auth: 'auto', debug: false, debugListen: '127.0.0.1:8081', allowSecrets: false, readiness: 'serving' });
    assert.deepEqual(config.leaderElection, {
      enabled: false,
      lease: 'informant',
      namespace: 'default',
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      onChangeOnlyLeader: true,
    });
    assert.deepEqual(config.logging, { level: 'info' });
  });

  test('normalizes source.kubernetes.kcp with and without a server', () => {
    const withServer = parseConfig('source:\n  kubernetes:\n    kcp: {server: "https://kcp.example:6443/services/apiexport/root:org/widgets"}\n', FILE);
    assert.deepEqual(withServer.source.kubernetes?.kcp, { server: 'https://kcp.example:6443/services/apiexport/root:org/widgets' });
    assert.deepEqual(parseConfig('source: {kubernetes: {kcp: {}}}\n', FILE).source.kubernetes?.kcp, {});
    assert.equal(parseConfig('source: {kubernetes: {}}\n', FILE).source.kubernetes?.kcp, undefined);
  });

  test('keeps a resource\'s own sync_timeout and optional, and leaves them out when not written', () => {
    const config = parseConfig(
      'watched_resources:\n  a: {api_version: v1, kind: Service, sync_timeout: 15s, optional: true}\n  b: {api_version: v1, kind: Secret}\n',
      FILE,
    );
    assert.deepEqual([config.watchedResources[0]?.syncTimeoutMs, config.watchedResources[0]?.optional], [15_000, true]);
    assert.deepEqual([config.watchedResources[1]?.syncTimeoutMs, config.watchedResources[1]?.optional], [undefined, undefined]);
  });

  test('gives an on-demand store a 10m cache of 256 objects by default', () => {
    const config = parseConfig('watched_resources:\n  secrets: {api_version: v1, kind: Secret, store: on-demand}\n', FILE);
    assert.equal(config.watchedResources[0]?.cacheTtlMs, 600_000);
    assert.equal(config.watchedResources[0]?.maxCacheSize, 256);
  });

  test('resolves a files source against the config folder with watch and debounce defaults', () => {
    const config = parseConfig('source:\n  files: {path: ../manifests}\n', FILE);
    assert.deepEqual(config.source, { kind: 'files', files: { path: '/srv/manifests', watch: true, debounceMs: 100 } });
  });

  test('drops remove_fields entries that select a field already listed, however spelled', () => {
    const text = [
      'remove_fields: [metadata.managedFields, "$.metadata.managedFields", "metadata[\'managedFields\']"]',
      'watched_resources:',
      '  pods: {api_version: v1, kind: Pod, remove_fields: ["metadata[\\"managedFields\\"]", status, status]}',
    ].join('\n');
    const config = parseConfig(text, FILE);
    assert.deepEqual(config.removeFields, ['metadata.managedFields']);
    assert.deepEqual(config.watchedResources[0]?.removeFields, ['metadata.managedFields', 'status']);
  });

  test('keeps watched resources and templates in file order, numeric names included', () => {
    const text = [
      'watched_resources:',
      '  zeta: {api_version: v1, kind: Pod}',
      '  alpha: {api_version: v1, kind: Service}',
      'templates:',
      '  b: {inline: x, output: b}',
      '  "2": {inline: x, output: two}',
      '  a: {inline: x, output: a}',
    ].join('\n');
    const config = parseConfig(text, FILE);
    assert.deepEqual(config.watchedResources.map((r) => r.name), ['zeta', 'alpha']);
    assert.deepEqual(config.templates.map((t) => t.name), ['b', '2', 'a']);
  });

  test('accepts the store types a backend registry supplies', () => {
    const text = 'watched_resources:\n  pods: {api_version: v1, kind: Pod, store: postgres}\n';
    const config = parseConfig(text, FILE, { storeTypes: ['full', 'on-demand', 'postgres'] });
    assert.equal(config.watchedResources[0]?.store, 'postgres');
    assert.throws(() => parseConfig(text, FILE), /unknown store type "postgres"; available: full, on-demand, published, etcd$/);
  });

  test('resolves inline config text against the given base folder', () => {
    const config = parseConfig('source:\n  files: {path: m}\n', undefined, { baseDir: '/work' });
    assert.equal(config.file, '<inline>');
    assert.equal(config.baseDir, '/work');
    assert.equal(config.source.files?.path, '/work/m');
  });

  test('accepts YAML anchors and merge keys', () => {
    const merged = [
      'watched_resources:',
      '  secrets: &base {api_version: v1, kind: Secret, store: on-demand}',
      '  configmaps: {<<: *base, kind: ConfigMap}',
    ].join('\n');
    const config = parseConfig(merged, FILE);
    assert.deepEqual(
      config.watchedResources.map((r) => [r.name, r.kind, r.store]),
      [['secrets', 'Secret', 'on-demand'], ['configmaps', 'ConfigMap', 'on-demand']],
    );
  });
});

describe('loadConfig', () => {
  test('reads the file and resolves paths against its folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'informant-config-'));
    try {
      const file = join(dir, 'config.yaml');
      await writeFile(file, 'templates:\n  out: {path: t.njk, output: out/file}\n');
      const config = await loadConfig(file);
      assert.equal(config.file, file);
      assert.equal(config.baseDir, dir);
      assert.equal(config.templates[0]?.path, join(dir, 't.njk'));
      assert.equal(config.templates[0]?.output, join(dir, 'out/file'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('reports a file that cannot be read as a ConfigError with its cause', async () => {
    const file = join(tmpdir(), 'informant-config-does-not-exist', 'config.yaml');
    await assert.rejects(loadConfig(file), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 1);
      assert.equal(err.problems[0]?.line, 0);
      assert.match(err.message, /^.*config\.yaml: cannot read the config file: ENOENT/);
      assert.equal((err.cause as NodeJS.ErrnoException).code, 'ENOENT');
      return true;
    });
  });
});

describe('template vars, for_each and owner', () => {
  const text = `
watched_resources:
  secrets: {api_version: v1, kind: Secret}
vars:
  ingress_class: haproxy
  ports: {http: 80, https: 443}
  hosts: [a, b]
templates:
  haproxy.cfg:
    inline: x
    output: out/haproxy.cfg
    vars:
      ports: {https: 8443}
      hosts: [c]
      extra: null
  certs:
    inline: y
    output: "out/certs/{{ object.metadata.namespace }}_{{ object.metadata.name }}.pem"
    for_each: secrets
    mode: "0600"
    owner: "haproxy:1000"
  keys:
    inline: z
    output: "keys/{{ object.name }}.key"
    for_each: {import: templates/_model.njk, list: tls_secrets}
    owner: ":42"
`;

  test('a template sees the top-level vars with its own merged over them: mappings key by key, lists and scalars replaced', () => {
    const config = parseConfig(text, FILE);
    assert.deepEqual(config.vars, { ingress_class: 'haproxy', ports: { http: 80, https: 443 }, hosts: ['a', 'b'] });
    const [cfg, certs] = config.templates;
    assert.deepEqual(cfg?.vars, { ingress_class: 'haproxy', ports: { http: 80, https: 8443 }, hosts: ['c'], extra: null });
    assert.deepEqual(certs?.vars, config.vars);
    assert.ok(Object.isFrozen(cfg?.vars) && Object.isFrozen((cfg?.vars as { ports: object }).ports), 'vars are deep-frozen');
  });

  test('for_each splits output into a fixed folder and a file name pattern, resolved against the config folder', () => {
    const [, certs, keys] = parseConfig(text, FILE).templates;
    assert.deepEqual(certs?.forEach, {
      resource: 'secrets',
      dir: '/srv/informant/out/certs',
      name: '{{ object.metadata.namespace }}_{{ object.metadata.name }}.pem',
    });
    assert.deepEqual(keys?.forEach, { import: '/srv/informant/templates/_model.njk', list: 'tls_secrets', dir: '/srv/informant/keys', name: '{{ object.name }}.key' });
    assert.equal(certs?.mode, 0o600);
  });

  test('owner takes names and numeric ids, a user, a group or both', () => {
    const [cfg, certs, keys] = parseConfig(text, FILE).templates;
    assert.equal(cfg?.owner, undefined);
    assert.deepEqual(certs?.owner, { user: 'haproxy', group: 1000 });
    assert.deepEqual(keys?.owner, { group: 42 });
    assert.deepEqual(parseConfig('templates:\n  t: {inline: x, output: o, owner: 1000}\n', FILE).templates[0]?.owner, { user: 1000 });
  });
});
