import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfig, type ConfigProblem, type TemplateTestConfig } from '../../src/config/index.ts';

const HEAD = `watched_resources:
  services: {api_version: v1, kind: Service}
source:
  files: {path: manifests}
templates:
  list: {inline: "x", output: out/list}
  hosts: {inline: "y", output: out/hosts}
`;

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'informant-config-tests-'));
  await mkdir(join(dir, 'fixtures'));
  await writeFile(join(dir, 'fixtures', 'one.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: b}\n');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function parse(text: string): ReturnType<typeof parseConfig> {
  return parseConfig(text, 'config.yaml', { baseDir: dir, tests: true });
}

/** The problems parse(text) throws, as "line:col path: message". */
function problems(text: string): string[] {
  try {
    parse(text);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems.map((p: ConfigProblem) => `${p.file === 'config.yaml' ? '' : `${p.file}:`}${p.line}:${p.col} ${p.path}: ${p.message}`);
  }
  assert.fail('expected a ConfigError');
}

describe('the tests section of the config', () => {
  test('is absent from the config when the file has no tests', () => {
    assert.equal(parse(HEAD).tests, undefined);
  });

  test('normalizes a test: defaults, absolute paths, lists, positions', () => {
    const text = `${HEAD}tests:
  services are listed:
    description: Every Service is listed.
    fixture_files: [fixtures/one.yaml]
    remove: [{kind: Service, namespace: shop, name: old}]
    fixtures:
      - {apiVersion: v1, kind: Service, metadata: {name: web, namespace: shop}}
    expect:
      list:
        contains: web
        not_contains: [old, gone]
        contains_in_order: [a, b]
        matches: "^x$"
        equals: golden/list.txt
        line_count: 1
        jsonpath:
          - {path: "$.a", equals: null}
          - {path: "items[*].name"}
      hosts: {}
`;
    const expected: TemplateTestConfig = {
      name: 'services are listed',
      description: 'Every Service is listed.',
      fixturesMode: 'layer',
      fixtures: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' } }],
      fixtureFiles: [join(dir, 'fixtures/one.yaml')],
      remove: [{ kind: 'Service', namespace: 'shop', name: 'old' }],
      expect: [
        {
          template: 'list',
          contains: ['web'],
          notContains: ['old', 'gone'],
          containsInOrder: ['a', 'b'],
          matches: ['^x$'],
          equals: join(dir, 'golden/list.txt'),
          lineCount: 1,
          jsonPath: [{ path: '$.a', expected: { value: null } }, { path: 'items[*].name' }],
          position: { file: 'config.yaml', line: 16, col: 7 },
        },
        {
          template: 'hosts',
          contains: [],
          notContains: [],
          containsInOrder: [],
          matches: [],
          jsonPath: [],
          position: { file: 'config.yaml', line: 26, col: 7 },
        },
      ],
      position: { file: 'config.yaml', line: 9, col: 3 },
    };
    assert.deepEqual(parse(text).tests, [expected]);
  });

  test('reads the documents of a fixtures text, List kinds included', () => {
    const text = `${HEAD}tests:
  t:
    fixtures: |
      apiVersion: v1
      kind: Service
      metadata: {name: a}
      ---
      apiVersion: v1
      kind: ServiceList
      items:
        - metadata: {name: b}
    expect: {list: {}}
`;
    const names = parse(text).tests?.[0]?.fixtures.map((o) => `${o.kind} ${o.metadata.name}`);
    assert.deepEqual(names, ['Service a', 'Service b']);
  });

  test('names the line of the config for an unknown template and a missing fixture path', () => {
    const text = `${HEAD}tests:
  t:
    fixture_files: [fixtures/one.yaml, fixtures/missing.yaml]
    expect:
      lists: {contains: x}
`;
    assert.deepEqual(problems(text), [
      `10:40 tests.t.fixture_files[1]: fixture path ${join(dir, 'fixtures/missing.yaml')} does not exist`,
      '12:7 tests.t.expect.lists: unknown template "lists"; templates: list, hosts',
    ]);
  });

  test('refuses layer fixtures without a files source and remove with replace', () => {
    const text = `${HEAD.replace('files: {path: manifests}', 'kubernetes: {}')}tests:
  layered:
    expect: {list: {}}
  replaced:
    fixtures_mode: replace
    remove: [{kind: Service, name: x}]
    expect: {list: {}}
`;
    assert.deepEqual(problems(text), [
      '9:3 tests.layered.fixtures_mode: layer (the default) puts the fixtures on top of the manifests of source.files, but this config watches a cluster: set fixtures_mode: replace',
      '13:5 tests.replaced.remove: remove takes objects out of the manifests of source.files, which fixtures_mode: replace does not read',
    ]);
  });

  test('checks the shape of every expectation, with the key path of each problem', () => {
    const text = `${HEAD}tests:
  " padded": {expect: {list: {}}}
  t:
    fixtures_mode: merge
    fixtures: [{apiVersion: v1, kind: Service, metadata: {labels: {tier: 1}}}]
    expect:
      list:
        matches: ["(unclosed"]
        line_count: -1
        jsonpath: [{path: "$.items[?(@.x)]"}]
        expect_error: boom
  empty: {expect: {}}
`;
    assert.deepEqual(problems(text), [
      '9:3 tests[" padded"]: invalid test name " padded": remove the spaces around it',
      '11:20 tests.t.fixtures_mode: unknown fixtures mode "merge"; available: layer, replace',
      '12:48 tests.t.fixtures[0].metadata.name: is required',
      '12:74 tests.t.fixtures[0].metadata.labels.tier: a label value must be text (quote it), got a number (1)',
      '15:19 tests.t.expect.list.matches[0]: invalid regular expression /(unclosed/m: Unterminated group',
      '16:21 tests.t.expect.list.line_count: must be at least 0',
      '17:27 tests.t.expect.list.jsonpath[0].path: invalid JSONPath: filter and script expressions are not allowed: no script evaluation at offset 8 in path "$.items[?(@.x)]"',
      '18:9 tests.t.expect.list.expect_error: expect_error cannot be combined with matches, line_count, jsonpath: a render that fails has no output',
      '19:19 tests.empty.expect: needs at least one template to check, e.g. expect: {haproxy.cfg: {contains: "backend web"}}',
    ]);
  });

  test('points at the exact line of a problem inside a literal fixtures text', () => {
    const text = `${HEAD}tests:
  t:
    fixtures: |
      apiVersion: v1
      kind: Service
      metadata: {name: a}
      ---
      apiVersion: v1
      metadata: {name: b}
    expect: {list: {}}
  broken:
    fixtures: "kind: [unclosed"
    expect: {list: {}}
`;
    const found = problems(text);
    assert.equal(found[0], '15:7 tests.t.fixtures: document 2: a Kubernetes object needs kind');
    assert.match(found[1]!, /^19:15 tests\.broken\.fixtures: YAML: .* \(line 1, column \d+ of the fixtures text\)$/);
  });

  test('reads test files relative to the config and names them in their problems', async () => {
    await mkdir(join(dir, 'more'), { recursive: true });
    await writeFile(join(dir, 'more', 'good.yaml'), 'tests:\n  from a file:\n    fixture_files: [../fixtures/one.yaml]\n    expect: {hosts: {equals: golden.txt}}\n');
    await writeFile(join(dir, 'more', 'bad.yaml'), 'tests:\n  t2:\n    expect: {list: {containz: x}}\n');
    const good = parse(`${HEAD}tests:\n  inline: {expect: {list: {}}}\ntest_files: [more/good.yaml]\n`);
    assert.deepEqual(good.tests?.map((t) => [t.name, t.position?.file, t.fixtureFiles, t.expect[0]?.equals]), [
      ['inline', 'config.yaml', [], undefined],
      ['from a file', 'more/good.yaml', [join(dir, 'fixtures/one.yaml')], join(dir, 'more/golden.txt')],
    ]);
    assert.deepEqual(problems(`${HEAD}test_files: [more/bad.yaml, more/none.yaml]\n`), [
      `8:29 test_files[1]: cannot read the test file ${join(dir, 'more/none.yaml')}: ENOENT`,
      'more/bad.yaml:3:21 tests.t2.expect.list.containz: unknown key "containz"; did you mean "contains"?',
    ]);
  });

  test('without the tests option, validates the tests section but reads no test file or fixture path', () => {
    const text = `${HEAD}tests:\n  t:\n    fixture_files: [absent.yaml]\n    expect: {list: {}}\ntest_files: [absent-tests.yaml]\n`;
    const config = parseConfig(text, 'config.yaml', { baseDir: dir });
    assert.equal(config.tests, undefined);
    assert.throws(
      () => parseConfig(`${HEAD}tests:\n  t:\n    expect: {nope: {}}\n`, 'config.yaml', { baseDir: dir }),
      { name: 'ConfigError', message: 'config.yaml:10:14: tests.t.expect.nope: unknown template "nope"; templates: list, hosts' },
    );
  });

  test('refuses a test name used twice across files', async () => {
    await mkdir(join(dir, 'dup'), { recursive: true });
    await writeFile(join(dir, 'dup', 'tests.yaml'), 'tests:\n  same: {expect: {list: {}}}\n');
    assert.deepEqual(problems(`${HEAD}tests:\n  same: {expect: {list: {}}}\ntest_files: [dup/tests.yaml]\n`), [
      'dup/tests.yaml:2:3 tests.same: test "same" is already defined at config.yaml:9:3',
    ]);
  });
});
