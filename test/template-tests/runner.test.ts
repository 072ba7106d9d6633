import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { runTemplateTests, type TestResult } from '../../src/template-tests/index.ts';
import { CONFIG_HEAD, project, removeProjects, type Project } from './project.ts';

after(removeProjects);

/** Runs every test of the project (or those `filter` selects) and returns the results by name. */
async function run(p: Project, options: { filter?: RegExp; updateGolden?: boolean } = {}): Promise<Map<string, TestResult>> {
  const summary = await runTemplateTests({ config: p.config, cwd: p.dir, ...options });
  assert.equal(summary.passed + summary.failed, summary.results.length);
  return new Map(summary.results.map((r) => [r.name, r]));
}

/** The failures of one result as "template assertion: message". */
function failures(result: TestResult | undefined): string[] {
  assert.ok(result, 'the test ran');
  return result.failures.map((f) => `${f.template ?? '-'} ${f.assertion}: ${f.message}`);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

const GOLDEN_LIST = 'shop/api 8080\nshop/web 80\n';

describe('golden files', () => {
  test('a golden mismatch fails with a unified diff from the golden file to the output', async () => {
    const p = await project('tests:\n  listed:\n    expect: {list: {equals: golden/list.txt}}\n', {
      'golden/list.txt': 'shop/api 8080\nshop/web 81\n',
    });
    const result = (await run(p)).get('listed');
    assert.equal(result?.passed, false);
    const failure = result?.failures[0];
    assert.equal(failure?.assertion, 'equals');
    assert.equal(failure?.message, 'the output differs from the golden file golden/list.txt; run informant test --update-golden to accept it');
    assert.equal(failure?.diff, '--- golden/list.txt\n+++ list (rendered)\n@@ -1,2 +1,2 @@\n shop/api 8080\n-shop/web 81\n+shop/web 80\n');
  });

  test('a missing golden file fails and says how to create it', async () => {
    const p = await project('tests:\n  listed:\n    expect: {list: {equals: golden/list.txt}}\n');
    assert.deepEqual(failures((await run(p)).get('listed')), [
      'list equals: golden file golden/list.txt does not exist; run informant test --update-golden to create it from this output',
    ]);
  });

  test('--update-golden rewrites only the golden files of the selected tests', async () => {
    const tests = `tests:
  first:
    expect: {list: {equals: golden/first.txt}, json: {equals: golden/first.json}}
  second:
    expect: {list: {equals: golden/second.txt}}
  third:
    expect: {list: {equals: golden/third.txt}}
`;
    const p = await project(tests, { 'golden/first.txt': 'stale\n', 'golden/second.txt': 'stale\n', 'golden/third.txt': GOLDEN_LIST });
    const results = await run(p, { filter: /^(first|third)$/, updateGolden: true });
    assert.deepEqual([...results.keys()], ['first', 'third']);
    assert.deepEqual(results.get('first')?.notes, ['updated golden file golden/first.txt (list)', 'created golden file golden/first.json (json)']);
    assert.deepEqual(results.get('third')?.notes, [], 'a golden file that matches is left alone');
    assert.equal(await p.read('golden/first.txt'), GOLDEN_LIST);
    assert.match(await p.read('golden/first.json'), /^\[\{"apiVersion":"v1","kind":"Service"/);
    assert.equal(await p.read('golden/second.txt'), 'stale\n', 'a test that was not selected keeps its golden file');
    assert.equal(results.get('first')?.passed, true);
    const again = await run(p);
    assert.equal(again.get('first')?.passed, true);
    assert.equal(again.get('second')?.passed, false);
  });

  test('--update-golden does not write the golden file of a template that fails to render', async () => {
    const p = await project(
      'tests:\n  t:\n    fixtures_mode: replace\n    fixtures: [{apiVersion: v1, kind: Service, metadata: {name: x, namespace: a}, spec: {}}]\n    expect: {list: {equals: golden/list.txt}}\n',
    );
    const result = (await run(p, { updateGolden: true })).get('t');
    assert.equal(result?.failures[0]?.assertion, 'render');
    assert.equal(await exists(p.path('golden/list.txt')), false);
  });
});

describe('expect_error', () => {
  const secretless = `    fixtures:
      - {apiVersion: v1, kind: Service, metadata: {name: admin, namespace: shop, annotations: {tls-secret: admin-tls}}, spec: {ports: [{port: 443}]}}
`;

  test('passes when the render fails with a message the pattern matches', async () => {
    const p = await project(`tests:\n  missing secret:\n${secretless}    expect: {tls: {expect_error: "secret admin-tls not found$"}}\n`);
    const result = (await run(p)).get('missing secret');
    assert.deepEqual(failures(result), []);
    assert.equal(result?.passed, true);
  });

  test('fails when the render succeeds', async () => {
    const p = await project('tests:\n  all there:\n    expect: {tls: {expect_error: "not found"}}\n');
    assert.deepEqual(failures((await run(p)).get('all there')), [
      'tls expect_error: rendered 1 line(s) without an error; expected the render to fail with a message matching /not found/m',
    ]);
  });

  test('fails when the render fails with another message', async () => {
    const p = await project(`tests:\n  other message:\n${secretless}    expect: {tls: {expect_error: "permission denied"}}\n`);
    const [message] = failures((await run(p)).get('other message'));
    assert.match(message!, /^tls expect_error: the render failed with a message that does not match \/permission denied\/m: .*tls\.njk:5:\d+: secret admin-tls not found$/);
  });
});

describe('fixtures', () => {
  test('layer fixtures replace the manifest object with their identity and add new ones', async () => {
    const p = await project(`tests:
  layered:
    fixtures:
      - {apiVersion: v1, kind: Service, metadata: {name: web, namespace: shop}, spec: {ports: [{port: 8000}]}}
      - {apiVersion: v1, kind: Service, metadata: {name: cart, namespace: shop}, spec: {ports: [{port: 81}]}}
    expect: {list: {contains_in_order: ["shop/api 8080", "shop/cart 81", "shop/web 8000"], line_count: 3}}
`);
    assert.deepEqual(failures((await run(p)).get('layered')), []);
  });

  test('replace fixtures ignore the manifests; fixture files and folders come before inline fixtures', async () => {
    const p = await project(
      `tests:
  replaced:
    fixtures_mode: replace
    fixture_files: [fixtures/one.yaml, fixtures/more]
    fixtures: |
      apiVersion: v1
      kind: Service
      metadata: {name: b, namespace: x}
      spec: {ports: [{port: 3}]}
    expect: {list: {equals: golden/list.txt}}
`,
      {
        'fixtures/one.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: x}\nspec: {ports: [{port: 1}]}\n',
        'fixtures/more/nested/two.json': '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "b", "namespace": "x"}, "spec": {"ports": [{"port": 2}]}}',
        'golden/list.txt': 'x/a 1\nx/b 3\n',
      },
    );
    assert.deepEqual(failures((await run(p)).get('replaced')), []);
  });

  test('remove takes a manifest object out, and a remove that names nothing fails the test', async () => {
    const p = await project(`tests:
  removed:
    remove: [{kind: Service, namespace: shop, name: web}]
    expect: {list: {not_contains: shop/web, line_count: 1}}
  stale:
    remove: [{kind: Service, namespace: shop, name: gone}, {api_version: v2, kind: Service, namespace: shop, name: api}]
    expect: {list: {}}
`);
    const results = await run(p);
    assert.deepEqual(failures(results.get('removed')), []);
    assert.deepEqual(failures(results.get('stale')), [
      '- fixtures: remove: the manifests hold no Service shop/gone',
      '- fixtures: remove: the manifests hold no Service shop/api (v2)',
    ]);
  });

  test('a fixture file with a broken object fails the test with its file and line', async () => {
    const p = await project('tests:\n  broken:\n    fixture_files: [fixtures/bad.yaml]\n    expect: {list: {}}\n', {
      'fixtures/bad.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\napiVersion: v1\nmetadata: {name: b}\n',
    });
    assert.deepEqual(failures((await run(p)).get('broken')), [`- fixtures: ${p.path('fixtures/bad.yaml')}:5:1: object has no kind`]);
  });

  test('each test starts from fresh stores: one test\'s fixtures are not seen by the next', async () => {
    const p = await project(`tests:
  adds cart:
    fixtures: [{apiVersion: v1, kind: Service, metadata: {name: cart, namespace: shop}, spec: {ports: [{port: 81}]}}]
    expect: {list: {contains: shop/cart}}
  without cart:
    expect: {list: {not_contains: shop/cart, line_count: 2}}
`);
    const results = await run(p);
    assert.deepEqual([...results.values()].flatMap(failures), []);
  });

  test('a config that watches a cluster runs replace tests without contacting one', async () => {
    const head = CONFIG_HEAD.replace('files: {path: manifests}', 'kubernetes: {kubeconfig: /nonexistent/kubeconfig}');
    assert.notEqual(head, CONFIG_HEAD);
    const p = await project(
      'tests:\n  offline:\n    fixtures_mode: replace\n    fixtures: [{apiVersion: v1, kind: Service, metadata: {name: a, namespace: x}, spec: {ports: [{port: 1}]}}]\n    expect: {list: {contains: x/a 1}}\n',
      {},
      { head },
    );
    assert.equal(p.config.source.kind, 'kubernetes');
    assert.deepEqual(failures((await run(p)).get('offline')), []);
  });

  test('an on-demand store is served from the fixtures', async () => {
    const head = CONFIG_HEAD.replace('store: full', 'store: on-demand');
    assert.notEqual(head, CONFIG_HEAD);
    const p = await project('tests:\n  fetched:\n    expect: {tls: {contains: web uses web-tls}}\n', {}, { head });
    assert.equal(p.config.watchedResources.find((r) => r.name === 'secrets')?.store, 'on-demand');
    assert.deepEqual(failures((await run(p)).get('fetched')), []);
  });
});

describe('output checks', () => {
  test('each text check says what it found', async () => {
    const p = await project(`tests:
  wrong:
    expect:
      list:
        contains: ["shop/web 80", "shop/cart"]
        not_contains: "shop/api"
        contains_in_order: ["shop/web", "shop/api"]
        matches: ["^shop/api \\\\d+$", "^shop/cart"]
        line_count: 3
`);
    assert.deepEqual(failures((await run(p)).get('wrong')), [
      'list contains: the output does not contain "shop/cart"',
      'list not_contains: the output contains "shop/api" (line 1)',
      'list contains_in_order: "shop/api" (line 1) does not come after "shop/web" (line 2)',
      'list matches: the output does not match /^shop\\/cart/m',
      'list line_count: the output has 2 line(s); expected 3',
    ]);
  });

  test('a failing contains or matches shows the part of the output closest to what it looked for', async () => {
    const p = await project(`tests:
  near:
    expect:
      list:
        contains: "shop/web 8080"
        matches: "^shop/api 80$"
`);
    const [contains, matches] = (await run(p)).get('near')!.failures;
    assert.deepEqual(contains?.closest, { title: 'closest match (2 characters differ):', start: 1, lines: ['shop/api 8080', 'shop/web 80'], marked: { from: 2, to: 2 } });
    assert.deepEqual(matches?.closest?.marked, { from: 1, to: 1 });
    assert.equal(matches?.closest?.title, 'the longest start of the pattern that matches, /^shop\\/api 80/m, matches here:');
  });

  test('jsonpath reads JSON and YAML outputs: one value for a simple path, a list for others', async () => {
    const p = await project(`tests:
  structured:
    expect:
      json:
        jsonpath:
          - {path: "$[1].metadata.name", equals: web}
          - {path: "$[*].spec.ports[0].port", equals: [8080, 80]}
          - {path: "$[0].metadata.labels"}
          - {path: "$[0].spec", equals: {ports: [{port: 8081}]}}
      yaml:
        jsonpath:
          - {path: "[0].metadata.namespace", equals: shop}
          - {path: "..port", equals: [8080, 80]}
      list:
        jsonpath: [{path: a}]
`);
    assert.deepEqual(failures((await run(p)).get('structured')), [
      'json jsonpath: $[0].metadata.labels selects nothing',
      'json jsonpath: $[0].spec is {"ports":[{"port":8080}]}; expected {"ports":[{"port":8081}]}',
      'list jsonpath: a selects nothing',
    ]);
  });

  test('an output that is neither JSON nor YAML fails the jsonpath check', async () => {
    const p = await project(`tests:\n  text:\n    fixtures_mode: replace\n    fixtures: [{apiVersion: v1, kind: Service, metadata: {name: "a: [", namespace: x}, spec: {ports: [{port: 1}]}}]\n    expect: {list: {jsonpath: [{path: a}]}}\n`);
    const [message] = failures((await run(p)).get('text'));
    assert.match(message!, /^list jsonpath: the output is not JSON or YAML: /);
  });

  test('an unexpected render error shows the template line it points at', async () => {
    const p = await project(
      'tests:\n  portless:\n    fixtures: [{apiVersion: v1, kind: Service, metadata: {name: x, namespace: a}, spec: {}}]\n    expect: {list: {contains: x}}\n',
    );
    const result = (await run(p)).get('portless');
    const failure = result?.failures[0];
    assert.equal(failure?.assertion, 'render');
    assert.match(failure?.message ?? '', /^the render failed: .*templates\/list\.njk:2:\d+: /);
    assert.equal(failure?.source?.line, 2);
    assert.equal(failure?.source?.text, '{{ s.metadata.namespace }}/{{ s.metadata.name }} {{ s.spec.ports[0].port }}');
    assert.equal(result?.failures.length, 1, 'the other checks of a failed render are not reported');
  });

  test('templates are rendered from fixtures only: nothing is written to the outputs and no command runs', async () => {
    const p = await project('tests:\n  quiet:\n    expect: {list: {}, json: {}, yaml: {}, tls: {}}\n');
    const results = await run(p);
    assert.equal(results.get('quiet')?.passed, true);
    for (const path of ['out', 'validated', 'changed']) assert.equal(await exists(p.path(path)), false, `${path} was created`);
  });
});

describe('runTemplateTests', () => {
  test('a template that does not compile fails the test with its location', async () => {
    const p = await project('tests:\n  t: {expect: {json: {}}}\n');
    await p.write('templates/list.njk', '{% for s in resources.services %}\n');
    const [message] = failures((await run(p)).get('t'));
    assert.match(message!, /^- error: .*templates\/list\.njk/);
  });


  test('runs the tests in config order, selects by regular expression and measures with the given clock', async () => {
    const p = await project('tests:\n  b one: {expect: {list: {}}}\n  a two: {expect: {list: {contains: nowhere}}}\n  c three: {expect: {list: {}}}\n');
    let clock = 0;
    const seen: string[] = [];
    const summary = await runTemplateTests({ config: p.config, filter: /one|two/, now: () => (clock += 10), onResult: (r) => seen.push(r.name) });
    assert.deepEqual(seen, ['b one', 'a two']);
    assert.deepEqual(summary.results.map((r) => [r.name, r.passed, r.durationMs]), [
      ['b one', true, 10],
      ['a two', false, 10],
    ]);
    assert.deepEqual([summary.passed, summary.failed, summary.durationMs], [1, 1, 50]);
  });
});

describe('for_each templates', () => {
  const head = `${CONFIG_HEAD}  ports:
    inline: "{{ object.spec.ports[0].port }}\\n"
    output: "out/ports/{{ object.metadata.namespace }}_{{ object.metadata.name }}.port"
    for_each: services
`;

  test('an expectation names one file as <template>/<file>, and files lists them all', async () => {
    const p = await project(
      `tests:
  ports:
    expect:
      ports: {files: [shop_web.port, shop_api.port]}
      ports/shop_web.port: {equals: golden/web.port, line_count: 1}
  wrong:
    expect:
      ports: {files: [shop_web.port, shop_db.port]}
      ports/shop_db.port: {contains: "5432"}
`,
      { 'golden/web.port': '80\n' },
      { head },
    );
    const results = await run(p);
    assert.deepEqual(failures(results.get('ports')), []);
    assert.deepEqual(failures(results.get('wrong')), [
      'ports files: the files differ: missing shop_db.port; not expected shop_api.port',
      'ports/shop_db.port render: no element renders to the file "shop_db.port"; the files: shop_api.port, shop_web.port',
    ]);
  });

  test('content checks on a for_each template as a whole, or a file of another template, are config errors', async () => {
    await assert.rejects(
      project('tests:\n  t:\n    expect:\n      ports: {contains: "80"}\n      list/x.txt: {}\n', {}, { head }),
      (err: Error) => {
        assert.match(err.message, /expect\.ports: template "ports" writes one file per element: check contains on a file, as "ports\/<file>"/);
        assert.match(err.message, /expect\["list\/x\.txt"\]: template "list" has no for_each: it writes one output, checked as "list"/);
        return true;
      },
    );
  });
});
