import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCliInProcess } from '../support/cli.ts';

const CONFIG = `watched_resources:
  services:
    api_version: v1
    kind: Service
    index_by: [metadata.namespace, metadata.name]
source:
  files: {path: manifests}
templates:
  list:
    path: list.njk
    output: out/list.txt
`;

const TEMPLATE = `{% for s in resources.services %}
{{ s.metadata.namespace }}/{{ s.metadata.name }} {{ s.spec.ports[0].port }}
{% endfor %}
`;

const MANIFEST = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {ports: [{port: 8080}]}
`;

let base: string;
const dirs: string[] = [];

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'informant-cli-base-'));
  dirs.push(base);
  await writeFile(join(base, 'config.yaml'), CONFIG);
  await writeFile(join(base, 'list.njk'), TEMPLATE);
  await writeFile(join(base, 'services.yaml'), MANIFEST);
});

after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** A fresh copy of the project with one rendered output already in place. */
async function project(): Promise<{ dir: string; output: string; good: Buffer }> {
  const dir = await mkdtemp(join(tmpdir(), 'informant-cli-'));
  dirs.push(dir);
  await cp(join(base, 'config.yaml'), join(dir, 'config.yaml'));
  await cp(join(base, 'list.njk'), join(dir, 'list.njk'));
  await cp(join(base, 'services.yaml'), join(dir, 'manifests', 'services.yaml'));
  const result = await runCliInProcess(['render', '--config', join(dir, 'config.yaml')]);
  assert.equal(result.code, 0, result.stderr);
  const output = join(dir, 'out', 'list.txt');
  return { dir, output, good: await readFile(output) };
}

async function edit(path: string, change: (text: string) => string): Promise<void> {
  await writeFile(path, change(await readFile(path, 'utf8')));
}

describe('informant render', () => {
  test('writes every configured output', async () => {
    const { good } = await project();
    assert.equal(good.toString(), 'shop/api 8080\nshop/web 80\n');
  });

  test('prints to stdout with --out - and writes into a folder with --out DIR', async () => {
    const { dir } = await project();
    const printed = await runCliInProcess(['render', '--config', join(dir, 'config.yaml'), '--out', '-']);
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(printed.stdout, 'shop/api 8080\nshop/web 80\n');
    const elsewhere = join(dir, 'elsewhere');
    const written = await runCliInProcess(['render', '--config', join(dir, 'config.yaml'), '--out', elsewhere]);
    assert.equal(written.code, 0, written.stderr);
    assert.equal(await readFile(join(elsewhere, 'list.txt'), 'utf8'), 'shop/api 8080\nshop/web 80\n');
  });

  const failures: Array<{ name: string; file: string; change: (text: string) => string; expect: RegExp }> = [
    {
      name: 'an unknown config key',
      file: 'config.yaml',
      change: (t) => t.replace('    kind: Service\n', '    kind: Service\n    indexBy: [metadata.name]\n'),
      expect: /config\.yaml:5:5: watched_resources\.services\.indexBy: unknown key "indexBy"/,
    },
    {
      name: 'a bad duration',
      file: 'config.yaml',
      change: (t) => `${t}render:\n  debounce: 10mins\n`,
      expect: /config\.yaml:13:13: render\.debounce: invalid duration "10mins"/,
    },
    {
      name: 'a bad JSONPath',
      file: 'config.yaml',
      change: (t) => t.replace('metadata.name]', '"metadata.name["]'),
      expect: /config\.yaml:5:\d+: watched_resources\.services\.index_by\[1\]: invalid index_by expression/,
    },
    {
      name: 'a filter expression in index_by',
      file: 'config.yaml',
      change: (t) => t.replace('metadata.name]', '"spec.ports[?(@.port > 80)]"]'),
      expect: /config\.yaml:5:\d+: watched_resources\.services\.index_by\[1\]: .*filter/,
    },
    {
      name: 'a template syntax error',
      file: 'list.njk',
      change: (t) => t.replace('{% endfor %}', '{% endfo %}'),
      expect: /list\.njk:3:\d+/,
    },
    {
      name: 'an undefined variable in a template',
      file: 'list.njk',
      change: (t) => t.replace('{{ s.spec.ports[0].port }}', '{{ s.spec.ports[0].port }} {{ s.spec.nothing }}'),
      expect: /list\.njk:2:\d+: .*undefined/i,
    },
    {
      name: 'a malformed manifest',
      file: 'manifests/services.yaml',
      change: (t) => t.replace('spec: {ports: [{port: 8080}]}', 'spec: {ports: [{port: 8080}]\n  bad: ['),
      expect: /manifests\/services\.yaml:\d+:\d+/,
    },
  ];

  test('exits non-zero naming the folder when source.files.path does not exist, without a stack trace', async () => {
    const { dir, output, good } = await project();
    await edit(join(dir, 'config.yaml'), (t) => t.replace('path: manifests', 'path: missing'));
    const result = await runCliInProcess(['render', '--config', join(dir, 'config.yaml')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`config\\.yaml: manifests path ${join(dir, 'missing')} does not exist`));
    assert.doesNotMatch(result.stderr, /    at /);
    assert.deepEqual(await readFile(output), good);
  });

  for (const failure of failures) {
    test(`exits non-zero naming the file and line for ${failure.name}, keeping the output`, async () => {
      const { dir, output, good } = await project();
      await edit(join(dir, failure.file), failure.change);
      const result = await runCliInProcess(['render', '--config', join(dir, 'config.yaml')]);
      assert.equal(result.code, 1, `exit code; stderr: ${result.stderr}`);
      assert.match(result.stderr, failure.expect);
      assert.deepEqual(await readFile(output), good, 'the previous output is byte-identical');
    });
  }
});

describe('informant check-config', () => {
  test('accepts a valid config and compiles its templates', async () => {
    const { dir } = await project();
    const result = await runCliInProcess(['check-config', '--config', join(dir, 'config.yaml')]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /ok \(1 watched resources, 1 templates, 0 tests\)/);
  });

  test('notes each multi-valued index_by expression after the ok line', async () => {
    const { dir } = await project();
    await edit(join(dir, 'config.yaml'), (t) => t.replace('index_by: [metadata.namespace, metadata.name]', 'index_by: [metadata.namespace, "metadata.labels.*"]'));
    const result = await runCliInProcess(['check-config', '--config', join(dir, 'config.yaml')]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^note: .*config\.yaml:\d+:\d+: watched_resources\.services\.index_by\[1\]: "metadata\.labels\.\*" is multi-valued/m);
  });

  test('reports every config problem at once', async () => {
    const { dir } = await project();
    await edit(join(dir, 'config.yaml'), (t) => `${t.replace('kind: Service', 'kind: Service\n    store: memory')}render:\n  debounce: 5x\n`);
    const result = await runCliInProcess(['check-config', '--config', join(dir, 'config.yaml')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /config\.yaml:5:\d+: watched_resources\.services\.store: .*available: full/);
    assert.match(result.stderr, /render\.debounce: invalid duration "5x"/);
  });

  test('reports every kind of problem in one run: schema, cross-field, test files, templates, names, the manifests path', async () => {
    const { dir } = await project();
    await writeFile(join(dir, 'typo.njk'), '{% for s in resources.service %}{{ s.metadata.name | uper }}{% endfor %}\n');
    await writeFile(
      join(dir, 'config.yaml'),
      `watched_resources:
  services: {api_version: v1, kind: Service, indexBy: [metadata.name]}
source:
  files: {path: no-such-folder}
templates:
  list: {path: list.njk, output: out/list.txt}
  typo: {path: typo.njk, output: out/typo.txt}
  broken: {inline: "{% if %}", output: out/broken.txt}
render: {debounce: 5s, max_wait: 1s, sync_timeout: soon}
test_files: [tests/missing.yaml]
`,
    );
    const result = await runCliInProcess(['check-config', '--config', join(dir, 'config.yaml')]);
    assert.equal(result.code, 1);
    const expected = [
      /config\.yaml:2:\d+: watched_resources\.services\.indexBy: unknown key "indexBy"/,
      /config\.yaml:9:\d+: render\.max_wait: must be at least debounce/,
      /config\.yaml:9:\d+: render\.sync_timeout: invalid duration "soon"/,
      /config\.yaml:10:\d+: test_files\[0\]: .*missing\.yaml/,
      /typo\.njk:1:\d+: unknown resource "service" in resources\.service \(watched resources: services\); did you mean "services"\?/,
      /typo\.njk:1:\d+: unknown filter "uper"; did you mean "upper"\?/,
      /<inline:broken>:1:\d+: /,
      /config\.yaml:4:\d+: source\.files\.path: .*no-such-folder does not exist/,
    ];
    for (const pattern of expected) assert.match(result.stderr, pattern);
    assert.equal(result.stderr.trim().split('\n').length, expected.length, result.stderr);
  });

  test('reports every template that does not compile', async () => {
    const { dir } = await project();
    await edit(join(dir, 'list.njk'), (t) => t.replace('{% endfor %}', ''));
    await edit(join(dir, 'config.yaml'), (t) => `${t}  other:\n    inline: "{{ x "\n    output: out/other.txt\n`);
    const result = await runCliInProcess(['check-config', '--config', join(dir, 'config.yaml')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /list\.njk:\d+/);
    assert.match(result.stderr, /<inline:other>:1:\d+/);
  });
});
