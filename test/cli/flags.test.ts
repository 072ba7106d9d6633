/**
 * The options every command takes (--version, --log-level, --log-format) and --kubeconfig /
 * --context on render, run in process.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { TestApiServer } from '../support/apiserver/index.ts';
import { runCliInProcess } from '../support/cli.ts';

const TOKEN = 'flags-token';
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'informant-flags-'));
  dirs.push(dir);
  return dir;
}

const TEMPLATE = '{% for s in resources.services %}{{ s.metadata.name }} {% endfor %}';

/** A project whose config reads manifests (or, with `kubernetes`, a cluster) and renders the Services' names. */
async function project(source: string): Promise<string> {
  const dir = await tempDir();
  await writeFile(join(dir, 'services.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n');
  const config = join(dir, 'config.yaml');
  const templates = `templates:\n  names:\n    inline: "${TEMPLATE}"\n    output: out/names.txt\n`;
  await writeFile(config, `watched_resources:\n  services: {api_version: v1, kind: Service}\nsource:\n${source}${templates}`);
  return config;
}

describe('global options', () => {
  test('--version and -v print the version of package.json and exit 0', async () => {
    for (const flag of ['--version', '-v']) {
      const result = await runCliInProcess([flag]);
      assert.equal(result.code, 0);
      assert.equal(result.stdout, `${VERSION}\n`);
    }
  });

  test('--log-level wins over LOG_LEVEL, before or after the command name', async () => {
    const config = await project('  files: {path: services.yaml}\n');
    const saved = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'error';
    try {
      for (const args of [['--log-level', 'debug', 'render', '--config', config, '--out', '-'], ['render', '--config', config, '--out', '-', '--log-level', 'debug']]) {
        const result = await runCliInProcess(args);
        assert.equal(result.code, 0, result.stderr);
        const lines = result.stderr.trim().split('\n').map((line) => JSON.parse(line) as { level: number; msg: string });
        assert.ok(lines.some((line) => line.level === 20 && line.msg === 'templates compiled'), result.stderr);
      }
      const quiet = await runCliInProcess(['render', '--config', config, '--out', '-']);
      assert.equal(quiet.stderr, '');
    } finally {
      if (saved === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = saved;
    }
  });

  test('--log-format pretty writes lines for people instead of JSON', async () => {
    const config = await project('  files: {path: services.yaml}\n');
    const result = await runCliInProcess(['--log-format', 'pretty', '--log-level', 'debug', 'render', '--config', config, '--out', '-']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^\[[\d:.]+\] DEBUG: templates compiled$/m);
    assert.doesNotMatch(result.stderr, /"level":/);
    assert.equal(result.stdout, 'web ');
  });

  test('an unknown level or format is a usage error listing the choices', async () => {
    const result = await runCliInProcess(['--log-format', 'xml', 'render']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Allowed choices are json, pretty/);
  });
});

describe('render --kubeconfig and --context', () => {
  test('render reads the cluster of the context given on the command line', async () => {
    const empty = await TestApiServer.start({ token: TOKEN });
    const full = await TestApiServer.start({ token: TOKEN });
    try {
      full.create('services', { metadata: { namespace: 'shop', name: 'api' }, spec: {} });
      const dir = await tempDir();
      const kubeconfig = join(dir, 'two-contexts');
      await writeFile(kubeconfig, twoContexts(empty.url, full.url));
      const config = await project('  kubernetes: {}\n');
      const fromFlags = await runCliInProcess(['render', '--config', config, '--kubeconfig', kubeconfig, '--context', 'full', '--out', '-']);
      assert.equal(fromFlags.code, 0, fromFlags.stderr);
      assert.equal(fromFlags.stdout, 'api ');
      const current = await runCliInProcess(['render', '--config', config, '--kubeconfig', kubeconfig, '--out', '-']);
      assert.equal(current.stdout, '', 'the current context is the empty cluster');
    } finally {
      await empty.close();
      await full.close();
    }
  });

  test('--context on a config that reads manifests is an error', async () => {
    const config = await project('  files: {path: services.yaml}\n');
    const result = await runCliInProcess(['render', '--config', config, '--context', 'prod']);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, '--kubeconfig and --context apply to `source: kubernetes` only\n');
  });
});

/** A kubeconfig with the contexts `empty` (current) and `full`. */
function twoContexts(empty: string, full: string): string {
  const entries = (name: string, server: string) => ({
    cluster: `- name: ${name}\n  cluster: {server: "${server}"}`,
    user: `- name: ${name}\n  user: {token: "${TOKEN}"}`,
    context: `- name: ${name}\n  context: {cluster: ${name}, user: ${name}}`,
  });
  const all = [entries('empty', empty), entries('full', full)];
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    ...all.map((e) => e.cluster),
    'users:',
    ...all.map((e) => e.user),
    'contexts:',
    ...all.map((e) => e.context),
    'current-context: empty',
    '',
  ].join('\n');
}
