import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest } from '../../../src/watcher/files/manifest-parser.ts';
import { ManifestError } from '../../../src/watcher/files/manifest-error.ts';
import { WatchError } from '../../../src/watcher/index.ts';

const names = (text: string, file = '/m/a.yaml') =>
  parseManifest(file, text).objects.map((o) => `${o.obj.kind} ${o.obj.metadata.name}@${o.line}:${o.col}`);

describe('parseManifest', () => {
  test('splits multi-document YAML and skips empty documents', () => {
    const text = [
      '# leading comment',
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: a}',
      '---',
      '---',
      '# only a comment',
      '---',
      'null',
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: b}',
      '...',
    ].join('\n');
    const parsed = parseManifest('/m/a.yaml', text);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(names(text), ['Service a@3:1', 'Service b@12:1']);
  });

  test('returns nothing and no problem for an empty file', () => {
    assert.deepEqual(parseManifest('/m/a.yaml', ''), { objects: [], problems: [], unparsable: false });
  });

  test('flattens kind List with each item at its own line', () => {
    const text = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - apiVersion: v1',
      '    kind: Service',
      '    metadata: {name: a}',
      '  - apiVersion: networking.k8s.io/v1',
      '    kind: Ingress',
      '    metadata: {name: b}',
    ].join('\n');
    assert.deepEqual(names(text), ['Service a@4:5', 'Ingress b@7:5']);
  });

  test('flattens typed lists, giving items the list apiVersion and kind when they lack them', () => {
    const text = 'apiVersion: v1\nkind: ServiceList\nitems:\n- metadata: {name: a}\n- kind: Service\n  apiVersion: v1\n  metadata: {name: b}\n';
    const parsed = parseManifest('/m/a.yaml', text);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.objects.map((o) => [o.obj.apiVersion, o.obj.kind, o.obj.metadata.name]), [
      ['v1', 'Service', 'a'],
      ['v1', 'Service', 'b'],
    ]);
  });

  test('treats a kind ending in List without items as an ordinary object', () => {
    const text = 'apiVersion: example.com/v1\nkind: AllowList\nmetadata: {name: a}\nspec: {}\n';
    assert.deepEqual(names(text), ['AllowList a@1:1']);
  });

  test('reads JSON files', () => {
    const text = '{\n\t"apiVersion": "v1",\n\t"kind": "Secret",\n\t"metadata": {"name": "s", "namespace": "ns"},\n\t"data": {"k": "dg=="}\n}\n';
    const parsed = parseManifest('/m/s.json', text);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.objects[0]!.obj, {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' }, data: { k: 'dg==' },
    });
  });

  test('reports a YAML syntax error with file, line and column, and marks the file unparsable', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata:\n\tname: a\n';
    const parsed = parseManifest('/m/bad.yaml', text);
    assert.equal(parsed.unparsable, true);
    assert.deepEqual(parsed.objects, []);
    assert.equal(parsed.problems.length, 1);
    const problem = parsed.problems[0]!;
    assert.ok(problem instanceof ManifestError && problem instanceof WatchError);
    assert.equal(problem.file, '/m/bad.yaml');
    assert.equal(problem.line, 4);
    assert.equal(problem.col, 1);
    assert.equal(problem.message, '/m/bad.yaml:4:1: Tabs are not allowed as indentation');
  });

  test('reports a syntax error in a later document on that document\'s line', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\nkey: [a, b}\n';
    const parsed = parseManifest('/m/bad.yaml', text);
    assert.equal(parsed.unparsable, true);
    assert.deepEqual(parsed.objects, [], 'a file with a syntax error yields no object at all');
    assert.equal(parsed.problems[0]!.line, 5);
    assert.equal(parsed.problems[0]!.col, 11);
  });

  test('reports a JSON syntax error with its line', () => {
    const parsed = parseManifest('/m/bad.json', '{\n  "apiVersion": "v1",\n  "kind": "Service"\n  "metadata": {}\n}\n');
    assert.equal(parsed.unparsable, true);
    assert.ok(parsed.problems.some((p) => p.line === 3 || p.line === 4), parsed.problems.map((p) => p.message).join('; '));
  });

  test('reports duplicate keys as a syntax error', () => {
    const parsed = parseManifest('/m/a.yaml', 'apiVersion: v1\nkind: Service\nkind: Pod\nmetadata: {name: a}\n');
    assert.equal(parsed.unparsable, true);
    assert.equal(parsed.problems[0]!.line, 3);
  });

  // [document, expected reason, line]
  const invalid: Array<[string, RegExp, number]> = [
    ['- a\n- b\n', /not a mapping \(found a list\)/, 1],
    ['just text\n', /not a mapping \(found a string \("just text"\)\)/, 1],
    ['kind: Service\nmetadata: {name: a}\n', /Service object has no apiVersion/, 1],
    ['apiVersion: v1\nmetadata: {name: a}\n', /object has no kind/, 1],
    ['apiVersion: v1\nkind: Service\n', /Service object has no metadata$/, 1],
    ['apiVersion: v1\nkind: Service\nmetadata: {namespace: x}\n', /has no metadata\.name/, 1],
    ['apiVersion: v1\nkind: Service\nmetadata: {name: ""}\n', /has no metadata\.name/, 1],
    ['apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: 3}\n', /metadata\.namespace must be a string/, 1],
    ['apiVersion: v1\nkind: Service\nmetadata: {name: a, labels: [x]}\n', /metadata\.labels must be a mapping/, 1],
    ['apiVersion: v1\nkind: Service\nmetadata: {name: a, labels: {version: 1.0}}\n', /label "version" must be a string .*quote it/, 1],
    ['apiVersion: v1\nkind: List\nitems: {a: b}\n', /items of a List must be a sequence/, 3],
  ];
  for (const [text, reason, line] of invalid) {
    test(`reports ${reason.source} at line ${line}`, () => {
      const parsed = parseManifest('/m/x.yaml', `${text}---\napiVersion: v1\nkind: Service\nmetadata: {name: ok}\n`);
      assert.equal(parsed.unparsable, false);
      assert.equal(parsed.problems.length, 1, parsed.problems.map((p) => p.message).join('; '));
      assert.match(parsed.problems[0]!.reason, reason);
      assert.equal(parsed.problems[0]!.line, line);
      assert.deepEqual(parsed.objects.map((o) => o.obj.metadata.name), ['ok'], 'the valid document still loads');
    });
  }

  test('reports a bad List item at the item, keeping the other items', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Service\n  metadata: {}\n';
    const parsed = parseManifest('/m/x.yaml', text);
    assert.deepEqual(parsed.objects.map((o) => o.obj.metadata.name), ['a']);
    assert.equal(parsed.problems.length, 1);
    assert.equal(parsed.problems[0]!.line, 7);
    assert.equal(parsed.problems[0]!.col, 3);
  });

  test('drops a null or empty namespace and null labels', () => {
    const parsed = parseManifest('/m/x.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  namespace:\n  labels:\n');
    assert.deepEqual(parsed.objects[0]!.obj.metadata, { name: 'a' });
  });

  test('supports YAML anchors and merge keys', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nbase: &base {x: "1"}\ndata:\n  <<: *base\n  y: "2"\n';
    assert.deepEqual(parseManifest('/m/x.yaml', text).objects[0]!.obj.data, { x: '1', y: '2' });
  });

  test('refuses alias expansion bombs instead of exhausting memory', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`);
    }
    const parsed = parseManifest('/m/bomb.yaml', `${levels.join('\n')}\n`);
    assert.equal(parsed.unparsable, true);
    assert.equal(parsed.problems.length, 1);
  });

  test('reads .json files as JSON, naming list items in problems since JSON has no positions', () => {
    const items = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'ns' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' } },
    ];
    const parsed = parseManifest('/m/dump.json', JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    assert.deepEqual(parsed.objects.map((o) => [o.obj.metadata.name, o.line]), [['a', undefined], ['c', undefined]]);
    assert.deepEqual(parsed.problems.map((p) => p.message), ['/m/dump.json: items[1]: ConfigMap object has no metadata.name']);
  });

  test('locates a syntax error of a .json file with line and column, without quoting its content', () => {
    const parsed = parseManifest('/m/bad.json', '{"apiVersion": "v1",\n "kind": "Secret", "data": {"k": "s3cr3t-value" x}}\n');
    assert.equal(parsed.unparsable, true);
    assert.equal(parsed.problems[0]!.line, 2);
    assert.ok(!parsed.problems.some((p) => p.message.includes('s3cr3t')), parsed.problems.map((p) => p.message).join('; '));
  });

  test('refuses an object nested deeper than the limit where it is written, keeping the others', () => {
    const deep = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep, namespace: ns}\ndata: ${'['.repeat(50)}${']'.repeat(50)}\n`;
    const limits = { maxObjectBytes: 1_000_000, maxDepth: 32 };
    const parsed = parseManifest('/m/deep.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\n${deep}`, limits);
    assert.deepEqual(parsed.objects.map((o) => o.obj.metadata.name), ['ok']);
    assert.equal(parsed.problems[0]!.message, '/m/deep.yaml:5:1: ConfigMap ns/deep refused: nested deeper than limits.max_depth (32 levels)');
    const json = parseManifest('/m/deep.json', `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d"},"data":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, limits);
    assert.match(json.problems[0]!.message, /^\/m\/deep\.json: ConfigMap d refused: nested deeper than limits\.max_depth/);
  });
});
