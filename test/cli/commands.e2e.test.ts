/**
 * The real `informant` process, once per command: exit codes, stdout for results and
 * stderr for messages, as a shell or CI sees them. What each command does is tested in
 * process (render.test.ts, rbac.test.ts, test/template-tests/cli.test.ts); `run`, with its
 * signals, in run.e2e.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { CLI, runCli } from '../support/cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the informant process', () => {
  let dir: string;
  let broken: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'informant-process-'));
    broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'watched_resources:\n  services: {api_version: v1, kind: Service, indexBy: [metadata.name]}\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('render exits 0 having written the outputs, and 1 with the problem on stderr', async () => {
    const out = join(dir, 'out');
    const written = await runCli(['render', '--config', 'config.yaml', '--out', out], { cwd: ROOT });
    assert.equal(written.code, 0, written.stderr);
    assert.equal(written.stdout, '');
    assert.match(await readFile(join(out, 'haproxy.cfg'), 'utf8'), /backend shop_storefront_http/);
    const failed = await runCli(['render', '--config', broken]);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /broken\.yaml:2:\d+: watched_resources\.services\.indexBy: unknown key "indexBy"/);
  });

  test('render --out - into a reader that stops early (| head -1) ends quietly, with no EPIPE', async () => {
    const child = spawn(process.execPath, [CLI, 'render', '--config', 'config.yaml', '--out', '-'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    child.stdout.destroy(); // what `head -1` does once it has its line
    const code = await new Promise<number | null>((resolve) => child.on('close', (exit) => resolve(exit)));
    assert.match(first, /^==> certs\/\S+\.pem <==/, "the first file of the first template (the PEM files come first)");
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE|Error/);
  });

  test('check-config exits 0 with a summary on stdout, and 1 naming the problem on stderr', async () => {
    const ok = await runCli(['check-config', '--config', 'config.yaml'], { cwd: ROOT });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /config\.yaml: ok \(4 watched resources, 3 templates, \d+ tests\)\n$/);
    const failed = await runCli(['check-config', '--config', broken]);
    assert.equal(failed.code, 1);
    assert.equal(failed.stdout, '');
    assert.match(failed.stderr, /unknown key "indexBy"/);
  });

  test('rbac exits 0 with the manifests on stdout', async () => {
    const result = await runCli(['rbac', '--config', 'config.yaml'], { cwd: ROOT });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^# RBAC for .*config\.yaml \(informant rbac\)\n/);
    assert.match(result.stdout, /kind: ServiceAccount/);
  });

  test('test exits 0 when every test passes, 1 when none is selected, 2 for a filter that is not a regular expression', async () => {
    const passed = await runCli(['test', '--config', 'config.yaml'], { cwd: ROOT });
    assert.equal(passed.code, 0, passed.stdout + passed.stderr);
    assert.match(passed.stdout, /\n\d+ passed, 0 failed\n$/);
    const none = await runCli(['test', '--config', 'config.yaml', '--filter', '^nothing$'], { cwd: ROOT });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no test name matches --filter "\^nothing\$"/);
    const bad = await runCli(['test', '--config', 'config.yaml', '--filter', '('], { cwd: ROOT });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^--filter: Invalid regular expression/);
  });

  test('a usage error exits 1 with the message and the help on stderr; --help exits 0 with the help on stdout', async () => {
    const unknown = await runCli(['rendre']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^error: unknown command 'rendre'/);
    assert.match(unknown.stderr, /Usage: informant/);
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: informant/);
    assert.equal(help.stderr, '');
  });
});
