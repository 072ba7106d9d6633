/**
 * The command line and shared-store backends: `run --help` shows each backend's flags
 * under its own heading, check-config names the backends available for an unknown one, and
 * a backend flag the config cannot use is an error naming the flag.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Command } from 'commander';
import { addBackendFlags, backendFlagValues } from '../../src/cli/backend-flags.ts';
import { BUILTIN_SHARED_CONFIGS } from '../../src/config/index.ts';
import { runCli } from '../support/cli.ts';

describe('shared-store backend flags', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'informant-backend-flags-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('each backend\'s flags are parsed into the values the config loader takes, by flag name', () => {
    const command = addBackendFlags(new Command('run').exitOverride(), BUILTIN_SHARED_CONFIGS);
    command.parse(['--postgres-url', 'postgres://r@db/x', '--etcd-endpoints', 'http://a:2379,http://b:2379'], { from: 'user' });
    assert.deepEqual(backendFlagValues(command.opts(), BUILTIN_SHARED_CONFIGS), { 'etcd-endpoints': 'http://a:2379,http://b:2379', 'postgres-url': 'postgres://r@db/x' });
  });

  test('informant run --help shows the flags of every backend under its heading', async () => {
    const result = await runCli(['run', '--help']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /etcd backend \(publish, source\.shared\):\n\s+--etcd-endpoints <urls>/);
    assert.match(result.stdout, /postgres backend \(publish, source\.shared\):\n\s+--postgres-url <url>[^\n]*\n[\s\S]*--postgres-password-file <file>[\s\S]*--postgres-schema <name>/);
  });

  test('check-config names the available backends for an unknown one', async () => {
    const file = join(dir, 'unknown.yaml');
    await writeFile(file, 'watched_resources:\n  services: {api_version: v1, kind: Service}\nsource:\n  shared: {backend: mysql}\n');
    const result = await runCli(['check-config', '--config', file]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /unknown\.yaml:4:21: source\.shared\.backend: unknown shared store backend "mysql"; available: etcd, postgres, memory/);
  });

  test('a backend flag the config does not use fails naming the flag', async () => {
    const file = join(dir, 'files.yaml');
    await writeFile(file, 'watched_resources:\n  services: {api_version: v1, kind: Service}\nsource:\n  files: {path: .}\n');
    const result = await runCli(['render', '--config', file, '--out', '-', '--postgres-url', 'postgres://r@db/x']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /files\.yaml: --postgres-url: neither publish nor source\.shared uses the postgres backend/);
  });
});
