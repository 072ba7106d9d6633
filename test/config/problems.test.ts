import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig, type ConfigProblem } from '../../src/config/index.ts';

const FILE = 'config.yaml';

/** The problems parseConfig reports for `text` (fails the test when it does not throw). */
function problemsOf(text: string): readonly ConfigProblem[] {
  try {
    parseConfig(text, FILE);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  assert.fail('expected a ConfigError');
}

const INGRESS = ['watched_resources:', '  ingresses:', '    api_version: networking.k8s.io/v1', '    kind: Ingress'];
const lines = (...rows: string[]) => `${rows.join('\n')}\n`;

interface Case {
  name: string;
  text: string;
  line: number;
  col: number;
  path: string;
  message: string;
}

const cases: Case[] = [
  {
    name: 'an unknown top-level key, pointing at the key and listing the allowed ones',
    text: lines('watched_resources: {}', 'extra: 1'),
    line: 2, col: 1, path: 'extra',
    message: 'unknown key "extra"; allowed: watched_resources, remove_fields, source, templates, render, server, leader_election, limits, logging',
  },
  {
    name: 'a size that does not parse',
    text: lines('limits:', '  max_file_size: 4 megabytes'),
    line: 2, col: 18, path: 'limits.max_file_size',
    message: 'invalid size "4 megabytes": use a number of bytes, or a number followed by Ki, Mi, Gi (or K, M, G)',
  },
  {
    name: 'an unknown nested key, suggesting the snake_case spelling',
    text: lines(...INGRESS, '    indexBy: [metadata.name]'),
    line: 5, col: 5, path: 'watched_resources.ingresses.indexBy',
    message: 'unknown key "indexBy"; did you mean "index_by"?',
  },
  {
    name: 'a value of the wrong type, pointing at the value',
    text: lines('leader_election:', '  enabled: "yes"'),
    line: 2, col: 12, path: 'leader_election.enabled',
    message: 'expected true or false, got a string ("yes")',
  },
  {
    name: 'a list where a mapping belongs',
    text: lines('watched_resources:', '  ingresses: [v1, Ingress]'),
    line: 2, col: 14, path: 'watched_resources.ingresses',
    message: 'expected a mapping (key: value lines), got a list',
  },
  {
    name: 'an empty value where a mapping belongs, pointing at its key',
    text: lines('source:', '  kubernetes:'),
    line: 2, col: 3, path: 'source.kubernetes',
    message: 'expected a mapping (key: value lines), got null; write {} for an empty mapping',
  },
  {
    name: 'a duration that does not parse',
    text: lines('render:', '  debounce: 10mins'),
    line: 2, col: 13, path: 'render.debounce',
    message: 'invalid duration "10mins": use a number followed by ms, s, m or h',
  },
  {
    name: 'a label selector that does not parse',
    text: lines('watched_resources:', '  ingresses:', '    api_version: v1', '    kind: Ingress', '    label_selector: "app in (web"'),
    line: 5, col: 21, path: 'watched_resources.ingresses.label_selector',
    message: 'label selector',
  },
  {
    name: 'a field selector that does not parse',
    text: lines('watched_resources:', '  secrets:', '    api_version: v1', '    kind: Secret', '    field_selector: "type"'),
    line: 5, col: 21, path: 'watched_resources.secrets.field_selector',
    message: 'field selector',
  },
  {
    name: 'a duration without a unit',
    text: lines('render:', '  max_wait: 10'),
    line: 2, col: 13, path: 'render.max_wait',
    message: 'invalid duration "10": use a number followed by ms, s, m or h',
  },
  {
    name: 'a negative duration',
    text: lines('source:', '  files: {path: m, debounce: -1s}'),
    line: 2, col: 30, path: 'source.files.debounce',
    message: 'invalid duration "-1s": use a number followed by ms, s, m or h',
  },
  {
    name: 'max_wait shorter than debounce',
    text: lines('render: {debounce: 2s, max_wait: 1s}'),
    line: 1, col: 34, path: 'render.max_wait',
    message: 'must be at least debounce (1000 ms < 2000 ms)',
  },
  {
    name: "a template's max_wait shorter than its debounce",
    text: lines('templates:', '  t: {inline: x, output: o, debounce: 3s, max_wait: 1s}'),
    line: 2, col: 53, path: 'templates.t.max_wait',
    message: 'max_wait must be at least debounce (1000 ms < 3000 ms)',
  },
  {
    name: "a template's debounce longer than the max_wait it inherits",
    text: lines('render: {max_wait: 2s}', 'templates:', '  t: {inline: x, output: o, debounce: 5s}'),
    line: 3, col: 39, path: 'templates.t.debounce',
    message: 'max_wait must be at least debounce (render.max_wait) (2000 ms < 5000 ms)',
  },
  {
    name: 'a renew deadline not shorter than the lease duration',
    text: lines('leader_election: {lease_duration: 10s, renew_deadline: 10s, retry_period: 2s}'),
    line: 1, col: 56, path: 'leader_election.renew_deadline',
    message: 'must be shorter than lease_duration (10000 ms >= 10000 ms)',
  },
  {
    name: 'a retry period not shorter than the renew deadline',
    text: lines('leader_election:', '  renew_deadline: 5s', '  retry_period: 6s'),
    line: 3, col: 17, path: 'leader_election.retry_period',
    message: 'must be shorter than renew_deadline (6000 ms >= 5000 ms)',
  },
  {
    name: 'a zero command timeout',
    text: lines('render: {command_timeout: 0s}'),
    line: 1, col: 27, path: 'render.command_timeout',
    message: 'must be longer than 0',
  },
  {
    name: 'cache_ttl on a full store, naming the key',
    text: lines(...INGRESS, '    cache_ttl: 10m'),
    line: 5, col: 5, path: 'watched_resources.ingresses.cache_ttl',
    message: 'cache_ttl is only allowed with store: on-demand (this resource uses store: full)',
  },
  {
    name: 'max_cache_size on an explicitly full store',
    text: lines(...INGRESS, '    store: full', '    max_cache_size: 10'),
    line: 6, col: 5, path: 'watched_resources.ingresses.max_cache_size',
    message: 'max_cache_size is only allowed with store: on-demand (this resource uses store: full)',
  },
  {
    name: 'a zero cache_ttl',
    text: lines(...INGRESS, '    store: on-demand', '    cache_ttl: 0s'),
    line: 6, col: 16, path: 'watched_resources.ingresses.cache_ttl',
    message: 'must be longer than 0',
  },
  {
    name: 'an unknown store type, listing the available ones',
    text: lines(...INGRESS, '    store: memory'),
    line: 5, col: 12, path: 'watched_resources.ingresses.store',
    message: 'unknown store type "memory"; available: full, on-demand, published, etcd',
  },
  {
    name: 'an index_by expression that does not parse, naming the index',
    text: lines(...INGRESS, '    index_by: [metadata.name, "metadata.labels[app]"]'),
    line: 5, col: 31, path: 'watched_resources.ingresses.index_by[1]',
    message: 'invalid index_by expression: expected a quoted key, a number, \'*\' or a slice after \'[\', found "a" at offset 16',
  },
  {
    name: 'a filter expression in index_by',
    text: lines(...INGRESS, '    index_by:', '      - spec.rules[?(@.host)].host'),
    line: 6, col: 9, path: 'watched_resources.ingresses.index_by[0]',
    message: 'invalid index_by expression: filter and script expressions are not allowed: no script evaluation at offset 11',
  },
  {
    name: 'an empty index_by',
    text: lines(...INGRESS, '    index_by: []'),
    line: 5, col: 15, path: 'watched_resources.ingresses.index_by',
    message: 'needs at least one expression',
  },
  {
    name: 'a wildcard in the global remove_fields',
    text: lines('remove_fields:', '  - metadata.managedFields', '  - metadata.annotations.*'),
    line: 3, col: 5, path: 'remove_fields[1]',
    message: 'invalid remove_fields entry: remove_fields accepts only keys and indices, not a wildcard at offset 21',
  },
  {
    name: 'recursive descent in a resource\'s remove_fields',
    text: lines(...INGRESS, '    remove_fields: [$..managedFields]'),
    line: 5, col: 21, path: 'watched_resources.ingresses.remove_fields[0]',
    message: "not recursive descent '..'",
  },
  {
    name: 'a missing api_version, at the resource\'s key',
    text: lines('watched_resources:', '  ingresses:', '    kind: Ingress'),
    line: 2, col: 3, path: 'watched_resources.ingresses.api_version',
    message: 'is required',
  },
  {
    name: 'a malformed api_version',
    text: lines('watched_resources:', '  ingresses: {api_version: "networking.k8s.io/", kind: Ingress}'),
    line: 2, col: 28, path: 'watched_resources.ingresses.api_version',
    message: 'invalid api_version "networking.k8s.io/": write version or group/version',
  },
  {
    name: 'neither kind nor resource',
    text: lines('watched_resources:', '  ingresses:', '    api_version: v1'),
    line: 2, col: 3, path: 'watched_resources.ingresses',
    message: 'needs kind (e.g. Ingress) or resource (e.g. ingresses)',
  },
  {
    name: 'a watched resource name templates cannot use',
    text: lines('watched_resources:', '  my-ingresses: {api_version: v1, kind: Ingress}'),
    line: 2, col: 3, path: 'watched_resources.my-ingresses',
    message: 'invalid name "my-ingresses": templates use it as resources.<name>',
  },
  {
    name: 'a watched resource name that shadows an object property',
    text: lines('watched_resources:', '  constructor: {api_version: v1, kind: Pod}'),
    line: 2, col: 3, path: 'watched_resources.constructor',
    message: 'invalid name "constructor": it is reserved',
  },
  {
    name: 'a template with both path and inline',
    text: lines('templates:', '  site:', '    path: site.njk', '    inline: "x"', '    output: out/site'),
    line: 4, col: 5, path: 'templates.site.inline',
    message: 'set either path or inline, not both',
  },
  {
    name: 'a template with neither path nor inline',
    text: lines('templates:', '  site:', '    output: out/site'),
    line: 2, col: 3, path: 'templates.site',
    message: 'needs path (a template file) or inline (the template text)',
  },
  {
    name: 'a template without output',
    text: lines('templates:', '  haproxy.cfg:', '    inline: x'),
    line: 2, col: 3, path: 'templates["haproxy.cfg"].output',
    message: 'is required',
  },
  {
    name: 'a mode that is not octal',
    text: lines('templates:', '  site: {inline: x, output: out, mode: "0999"}'),
    line: 2, col: 40, path: 'templates.site.mode',
    message: 'invalid mode "0999": use an octal string such as "0644"',
  },
  {
    name: 'an unquoted mode, which YAML reads as a decimal number',
    text: lines('templates:', '  site: {inline: x, output: out, mode: 0644}'),
    line: 2, col: 40, path: 'templates.site.mode',
    message: 'invalid mode 644: quote it, e.g. mode: "0644"',
  },
  {
    name: 'an empty validate command',
    text: lines('templates:', '  site: {inline: x, output: out, validate: []}'),
    line: 2, col: 44, path: 'templates.site.validate',
    message: 'must name at least the program to run',
  },
  {
    name: 'two templates writing the same output',
    text: lines('templates:', '  a: {inline: x, output: out/file}', '  b: {inline: y, output: ./out//file}'),
    line: 3, col: 26, path: 'templates.b.output',
    message: 'template "a" writes the same output',
  },
  {
    name: 'a var name templates cannot read as vars.<name>',
    text: lines('vars:', '  http-port: 80'),
    line: 2, col: 3, path: 'vars.http-port',
    message: 'invalid var name "http-port": templates read it as vars.<name>, so use letters, digits and _ and do not start with a digit',
  },
  {
    name: 'vars that are not a mapping',
    text: lines('templates:', '  site: {inline: x, output: out, vars: [a, b]}'),
    line: 2, col: 40, path: 'templates.site.vars',
    message: 'expected a mapping of names to values, got a list',
  },
  {
    name: 'an owner that is neither a name nor an id',
    text: lines('templates:', '  site: {inline: x, output: out, owner: "root:wheel:x"}'),
    line: 2, col: 41, path: 'templates.site.owner',
    message: 'invalid owner "root:wheel:x": write user, user:group or :group (names or numeric ids)',
  },
  {
    name: 'an owner whose user is not a valid name',
    text: lines('templates:', '  site: {inline: x, output: out, owner: "a b"}'),
    line: 2, col: 41, path: 'templates.site.owner',
    message: 'invalid user "a b" in owner: use a name (letters, digits, _ . -) or a numeric id from 0 to 4294967294',
  },
  {
    name: 'for_each naming a resource that is not watched',
    text: lines(...INGRESS, 'templates:', '  certs: {inline: x, output: "certs/{{ object.metadata.name }}.pem", for_each: secrets}'),
    line: 6, col: 80, path: 'templates.certs.for_each',
    message: 'unknown watched resource "secrets"; watched resources: ingresses',
  },
  {
    name: 'a for_each output whose file name does not depend on the object',
    text: lines(...INGRESS, 'templates:', '  certs: {inline: x, output: certs/all.pem, for_each: ingresses}'),
    line: 6, col: 30, path: 'templates.certs.output',
    message: 'the file name must depend on the object, e.g. "certs/{{ object.metadata.namespace }}_{{ object.metadata.name }}.pem": otherwise every object writes the same file',
  },
  {
    name: 'a for_each output whose folder is a template',
    text: lines(...INGRESS, 'templates:', '  certs: {inline: x, output: "{{ object.metadata.namespace }}/x.pem", for_each: ingresses}'),
    line: 6, col: 30, path: 'templates.certs.output',
    message: 'only the file name may be a template: the folder (everything before the last "/") is fixed, so that no object can write outside it',
  },
  {
    name: 'a template without for_each whose output is a template',
    text: lines('templates:', '  site: {inline: x, output: "out/{{ vars.name }}"}'),
    line: 2, col: 29, path: 'templates.site.output',
    message: 'only a template with for_each has a file name that is a template ({{ ... }})',
  },
  {
    name: 'two for_each templates sharing a folder',
    text: lines(
      ...INGRESS,
      'templates:',
      '  a: {inline: x, output: "certs/{{ object.metadata.name }}.a", for_each: ingresses}',
      '  b: {inline: x, output: "./certs/{{ object.metadata.name }}.b", for_each: ingresses}',
    ),
    line: 7, col: 26, path: 'templates.b.output',
    message: 'template "a" writes its files into the same folder; give each for_each template a folder of its own',
  },
  {
    name: 'for_each from a list without the list name',
    text: lines('templates:', '  certs: {inline: x, output: "c/{{ object }}", for_each: {import: model.njk}}'),
    line: 2, col: 58, path: 'templates.certs.for_each',
    message: 'expected a watched resource name, or a mapping with import and list; got a mapping',
  },
  {
    name: 'a listen address without a port',
    text: lines('server:', '  listen: localhost'),
    line: 2, col: 11, path: 'server.listen',
    message: 'invalid listen address "localhost": use host:port',
  },
  {
    name: 'a listen port out of range',
    text: lines('server: {listen: "[::]:70000"}'),
    line: 1, col: 18, path: 'server.listen',
    message: 'the port must be between 0 and 65535',
  },
  {
    name: 'two clusters with the same name, pointing at the second name',
    text: lines('source:', '  kubernetes:', '    clusters:', '      - {name: eu}', '      - {name: eu, context: other}'),
    line: 5, col: 16, path: 'source.kubernetes.clusters[1].name',
    message: 'duplicate cluster name "eu"',
  },
  {
    name: 'a cluster name with "/"',
    text: lines('source:', '  kubernetes:', '    clusters:', '      - name: root/org'),
    line: 4, col: 15, path: 'source.kubernetes.clusters[0].name',
    message: 'invalid cluster name "root/org": it must not contain "/"',
  },
  {
    name: 'a cluster name that is neither a DNS label nor a workspace path',
    text: lines('source:', '  kubernetes:', '    clusters:', '      - name: EU_West'),
    line: 4, col: 15, path: 'source.kubernetes.clusters[0].name',
    message: 'invalid cluster name "EU_West": use a DNS label',
  },
  {
    name: 'a cluster without a name',
    text: lines('source:', '  kubernetes:', '    clusters:', '      - {context: dev}'),
    line: 4, col: 9, path: 'source.kubernetes.clusters[0].name',
    message: 'is required',
  },
  {
    name: 'a cluster server that is not a URL',
    text: lines('source:', '  kubernetes:', '    clusters:', '      - {name: a, server: "kcp:6443/clusters/root"}'),
    line: 4, col: 27, path: 'source.kubernetes.clusters[0].server',
    message: 'invalid server URL',
  },
  {
    name: 'an empty list of clusters',
    text: lines('source:', '  kubernetes:', '    clusters: []'),
    line: 3, col: 15, path: 'source.kubernetes.clusters',
    message: 'must name at least one cluster',
  },
  {
    name: 'both sources',
    text: lines('source:', '  kubernetes: {}', '  files: {path: manifests}'),
    line: 3, col: 3, path: 'source.files',
    message: 'set either kubernetes or files, not both',
  },
  {
    name: 'no source inside source',
    text: lines('render: {}', 'source: {}'),
    line: 2, col: 1, path: 'source',
    message: 'needs kubernetes: {}, files: {path: ...} or shared: {backend: ...}',
  },
  {
    name: 'a files source without a path',
    text: lines('source:', '  files: {watch: false}'),
    line: 2, col: 3, path: 'source.files.path',
    message: 'is required',
  },
  {
    name: 'an unknown log level',
    text: lines('logging: {level: verbose}'),
    line: 1, col: 18, path: 'logging.level',
    message: 'unknown log level "verbose"; available: fatal, error, warn, info, debug, trace, silent',
  },
  {
    name: 'an unknown escape mode',
    text: lines('templates:', '  t: {inline: x, output: o, escape: lines}'),
    line: 2, col: 37, path: 'templates.t.escape',
    message: 'unknown escape mode "lines"; available: line, none',
  },
  {
    name: 'an unknown readiness mode',
    text: lines('server: {readiness: relaxed}'),
    line: 1, col: 21, path: 'server.readiness',
    message: 'unknown readiness mode "relaxed"; available: serving, strict',
  },
  {
    name: 'a lease namespace that is not a DNS label',
    text: lines('leader_election: {namespace: Infra}'),
    line: 1, col: 30, path: 'leader_election.namespace',
    message: 'invalid name "Infra": use lower-case letters, digits and -',
  },
  {
    name: 'an empty file',
    text: '# nothing here\n',
    line: 1, col: 1, path: '',
    message: 'expected a mapping (key: value lines), got null',
  },
  {
    name: 'a YAML syntax error',
    text: lines('watched_resources:', '  ingresses: {api_version: v1', 'templates: {}'),
    line: 3, col: 1, path: '',
    message: 'YAML: Flow map in block collection must be sufficiently indented and end with a }',
  },
  {
    name: 'a __proto__ key, which could not become an object key',
    text: lines('watched_resources:', '  __proto__: {api_version: v1, kind: Pod}'),
    line: 2, col: 3, path: '',
    message: 'the key "__proto__" is not allowed',
  },
  {
    name: 'a key that is a list',
    text: lines('? [a, b]', ': 1'),
    line: 1, col: 3, path: '',
    message: 'keys must be plain text, not lists or mappings',
  },
  {
    name: 'kcp together with clusters',
    text: lines('source:', '  kubernetes:', '    clusters: [{name: eu}]', '    kcp: {}'),
    line: 4, col: 5, path: 'source.kubernetes.kcp',
    message: 'set either clusters (one watch per cluster) or kcp (one wildcard watch across every logical cluster), not both',
  },
  {
    name: 'a kcp server that is not a URL',
    text: lines('source:', '  kubernetes:', '    kcp: {server: kcp.example}'),
    line: 3, col: 19, path: 'source.kubernetes.kcp.server',
    message: 'invalid server URL "kcp.example"',
  },
  {
    name: 'a resource sync_timeout that does not parse',
    text: lines(...INGRESS, '    sync_timeout: soon'),
    line: 5, col: 19, path: 'watched_resources.ingresses.sync_timeout',
    message: 'invalid duration "soon"',
  },
  {
    name: 'optional on a published resource (publishing it unsynced would delete its objects)',
    text: lines(...INGRESS, '    store: published', '    optional: true', 'publish: {backend: etcd, cluster: east, etcd: {endpoints: ["http://127.0.0.1:2379"]}}'),
    line: 6, col: 5, path: 'watched_resources.ingresses.optional',
    message: 'optional is not allowed with store: published',
  },
  {
    name: 'a duplicated key',
    text: lines('render: {}', 'render: {}'),
    line: 2, col: 1, path: '',
    message: 'YAML: Map keys must be unique',
  },
];

describe('parseConfig problems', () => {
  for (const c of cases) {
    test(`reports ${c.name} at its line and column`, () => {
      const problems = problemsOf(c.text);
      assert.equal(problems.length, 1, problems.map((p) => `${p.line}:${p.col} ${p.path}: ${p.message}`).join('\n'));
      const [p] = problems as [ConfigProblem];
      assert.deepEqual({ file: p.file, line: p.line, col: p.col, path: p.path }, { file: FILE, line: c.line, col: c.col, path: c.path }, p.message);
      assert.ok(p.message.includes(c.message), `${JSON.stringify(p.message)} lacks ${JSON.stringify(c.message)}`);
    });
  }

  test('reports every problem of a file in one ConfigError, in file order, one line each', () => {
    const text = lines(
      'watched_resources:',
      '  ingresses:',
      '    api_version: networking.k8s.io/v1',
      '    index_by: ["spec[?(@.x)]"]',
      '    store: full',
      '    cache_ttl: 10m',
      '  secrets: {api_version: v1, kind: Secret, store: on-demand, cache_ttl: 10mins}',
      'remove_fields: ["metadata.labels[*]"]',
      'templates:',
      '  site: {path: a, inline: b, output: c, mode: "999"}',
      'render: {debounce: 1s, max_wait: 500ms}',
      'server: {listen: nowhere}',
      'logging: {level: loud, format: json}',
    );
    let error: ConfigError | undefined;
    try {
      parseConfig(text, FILE);
    } catch (err) {
      if (err instanceof ConfigError) error = err;
    }
    assert.ok(error !== undefined, 'expected a ConfigError');
    assert.equal(error.file, FILE);
    assert.deepEqual(
      error.problems.map((p) => `${p.line}:${p.col} ${p.path}`),
      [
        '2:3 watched_resources.ingresses',
        '4:16 watched_resources.ingresses.index_by[0]',
        '6:5 watched_resources.ingresses.cache_ttl',
        '7:73 watched_resources.secrets.cache_ttl',
        '8:17 remove_fields[0]',
        '10:19 templates.site.inline',
        '10:47 templates.site.mode',
        '11:34 render.max_wait',
        '12:18 server.listen',
        '13:18 logging.level',
        '13:24 logging.format',
      ],
    );
    const messageLines = error.message.split('\n');
    assert.equal(messageLines.length, error.problems.length);
    assert.equal(messageLines[0], 'config.yaml:2:3: watched_resources.ingresses: needs kind (e.g. Ingress) or resource (e.g. ingresses)');
    assert.equal(messageLines[3], 'config.yaml:7:73: watched_resources.secrets.cache_ttl: invalid duration "10mins": use a number followed by ms, s, m or h');
  });

  test('reports every YAML syntax error with its position', () => {
    const problems = problemsOf(lines('a: [1, 2', 'b: "unterminated', 'c: d: e'));
    assert.ok(problems.length >= 2, problems.map((p) => p.message).join('\n'));
    for (const p of problems) {
      assert.ok(p.line >= 1 && p.col >= 1);
      assert.match(p.message, /^YAML: /);
    }
  });
});
