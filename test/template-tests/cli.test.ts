import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runCliInProcess } from '../support/cli.ts';
import { project, removeProjects } from './project.ts';
import { xmlProblems } from './xml-check.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

after(removeProjects);

function lastLine(text: string): string | undefined {
  return text.replace(/\n$/, '').split('\n').at(-1);
}

describe('informant test', () => {
  test('passes on the examples with config.yaml and ends with the summary line', async () => {
    const result = await runCliInProcess(['test', '--config', 'config.yaml'], { cwd: ROOT });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const summary = /^(\d+) passed, 0 failed$/.exec(lastLine(result.stdout) ?? '');
    assert.ok(summary, `summary line, got: ${lastLine(result.stdout)}`);
    assert.ok(Number(summary[1]) >= 8, 'the example ships at least 8 tests');
    const tests = result.stdout.split('\n').filter((line) => /^(PASS|FAIL) /.test(line));
    assert.equal(tests.length, Number(summary[1]));
    assert.ok(tests.every((line) => line.startsWith('PASS  ')), result.stdout);
  });

  test('writes JUnit XML for the examples, with the summary on stderr', async () => {
    const result = await runCliInProcess(['test', '--config', 'examples/config.yaml', '--reporter', 'junit'], { cwd: ROOT });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(xmlProblems(result.stdout), []);
    assert.match(result.stdout, /<testsuite name="examples\/config\.yaml" tests="\d+" failures="0"/);
    assert.match(lastLine(result.stderr) ?? '', /^\d+ passed, 0 failed$/);
  });

  test('exits 1 with a diff when a golden file differs, 1 when the filter selects nothing, 2 for a bad filter', async () => {
    const p = await project('tests:\n  listed:\n    expect: {list: {equals: golden/list.txt}}\n', { 'golden/list.txt': 'shop/api 8080\n' });
    const failed = await runCliInProcess(['test', '--config', p.path('config.yaml')], { cwd: p.dir });
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stdout, /^FAIL {2}listed /m);
    assert.match(failed.stdout, /^ {8}--- golden\/list\.txt\n {8}\+\+\+ list \(rendered\)\n {8}@@ -1,1 \+1,2 @@\n {9}shop\/api 8080\n {8}\+shop\/web 80\n/m);
    assert.equal(lastLine(failed.stdout), '0 passed, 1 failed');
    const none = await runCliInProcess(['test', '--config', p.path('config.yaml'), '--filter', 'nothing'], { cwd: p.dir });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no test name matches --filter "nothing"; tests: listed/);
    const bad = await runCliInProcess(['test', '--config', p.path('config.yaml'), '--filter', '('], { cwd: p.dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^--filter: Invalid regular expression/);
  });

  test('reports a problem in the tests section with its file, line and key path', async () => {
    const p = await project('tests:\n  listed:\n    fixture_files: [fixtures]\n    expect: {list: {}}\n', { 'fixtures/a.yaml': '' });
    const broken = (await p.read('config.yaml')).replace('[fixtures]', '[missing.yaml]').replace('{list: {}}', '{lists: {}}');
    await p.write('config.yaml', broken);
    const result = await runCliInProcess(['test', '--config', 'config.yaml'], { cwd: p.dir });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /config\.yaml:28:21: tests\.listed\.fixture_files\[0\]: fixture path .*missing\.yaml does not exist/);
    assert.match(result.stderr, /config\.yaml:29:14: tests\.listed\.expect\.lists: unknown template "lists"; templates: list, json, yaml, tls/);
  });
});
