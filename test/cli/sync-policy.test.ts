/**
 * `informant render` against a test API server that refuses to list Secrets (403, an RBAC
 * gap): an optional resource is rendered without (empty) once its sync_timeout passes,
 * with a warning; a required one fails the command, naming it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TestApiServer } from '../support/apiserver/index.ts';
import { runCli } from '../support/cli.ts';
import { writeKubeconfig } from '../kube/support/kubeconfig-file.ts';

const TOKEN = 'sync-policy-token';
let server: TestApiServer;
const dirs: string[] = [];

before(async () => {
  server = await TestApiServer.start({ token: TOKEN });
  server.create('services', { metadata: { namespace: 'shop', name: 'web' }, spec: { ports: [{ port: 80 }] } });
  server.faults.permanentStatus(403, { resource: 'secrets' });
});
after(async () => {
  await server.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** A project whose Secrets resource has `secrets` settings added. */
async function project(secrets: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'informant-sync-policy-'));
  dirs.push(dir);
  writeKubeconfig(dir, server.url, { token: TOKEN });
  const config = join(dir, 'config.yaml');
  await writeFile(config, [
    'watched_resources:',
    '  services: {api_version: v1, kind: Service}',
    `  secrets: {api_version: v1, kind: Secret${secrets}}`,
    'source: {kubernetes: {kubeconfig: kubeconfig, streaming_list: false}}',
    'templates:',
    '  main:',
    '    inline: "{% for s in resources.services %}{{ s.metadata.name }}{% endfor %} secrets={{ resources.secrets | length }}\\n"',
    '    output: out/main.txt',
    '',
  ].join('\n'));
  return config;
}

describe('informant render with a resource that cannot sync', () => {
  test('renders without an optional resource once its sync_timeout passes, and warns', async () => {
    const result = await runCli(['render', '--config', await project(', optional: true, sync_timeout: 1s'), '--out', '-']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'web secrets=0\n');
    assert.match(result.stderr, /warning: rendered without the optional secrets \(not synced within sync_timeout: empty\)/);
  });

  test('fails naming a required resource past its sync_timeout and the reason, writing nothing', async () => {
    const result = await runCli(['render', '--config', await project(', sync_timeout: 1s'), '--out', '-']);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /not synced within sync_timeout: secrets after 1 s: forbidden/);
  });
});
