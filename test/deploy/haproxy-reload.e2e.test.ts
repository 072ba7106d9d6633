/**
 * The HAProxy sidecar's reload (deploy/components/haproxy-sidecar/haproxy-reload.mjs, its
 * on_change) against a real HAProxy in master-worker mode with a master CLI socket: a
 * changed config is served after it, a refused one leaves the last good one serving, and
 * before HAProxy has started there is nothing to reload. Skipped without haproxy, except
 * under CI=true.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { DEPLOY } from '../support/deploy.ts';
import { findHaproxy, haproxySkipReason, TestHaproxy } from '../support/haproxy.ts';
import { freePort } from '../support/local-server.ts';
import { eventually } from '../support/waiters.ts';

const SCRIPT = join(DEPLOY, 'components', 'haproxy-sidecar', 'haproxy-reload.mjs');
/** Guard against a hung script, in ms; not an assertion about speed. */
const SCRIPT_TIMEOUT_MS = 30_000;

/** An HAProxy config answering every request on `port` with `body`. */
function config(port: number, body: string, extra = ''): string {
  return [
    'global',
    '    log stdout format raw local0 info',
    'defaults',
    '    mode http',
    '    timeout connect 1s',
    '    timeout client 5s',
    '    timeout server 5s',
    'frontend web',
    `    bind 127.0.0.1:${port}`,
    `    http-request return status 200 content-type text/plain string "${body}"`,
    extra,
  ].join('\n');
}

/** Runs the reload script on `socket`: its exit code and what it printed. */
async function reload(socket: string): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await promisify(execFile)(process.execPath, [SCRIPT, socket], { timeout: SCRIPT_TIMEOUT_MS });
    return { code: 0, stderr };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stderr: failed.stderr ?? String(error) };
  }
}

async function served(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/`)).text();
}

describe('the HAProxy sidecar\'s reload through the master CLI socket', { skip: haproxySkipReason() }, () => {
  let dir: string;
  let port: number;
  let haproxy: TestHaproxy | undefined;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'informant-haproxy-reload-'));
    port = await freePort();
  });
  after(async () => {
    await haproxy?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('before HAProxy has started there is nothing to reload: it reads the files when it starts', async () => {
    const result = await reload(join(dir, 'master.sock'));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /has not started yet/);
  });

  test('a changed config is served after the reload; a refused one leaves the last good one serving', async () => {
    const file = join(dir, 'haproxy.cfg');
    const socket = join(dir, 'master.sock');
    await writeFile(file, config(port, 'one'));
    haproxy = await TestHaproxy.start(file, port, { masterWorker: { masterSocket: socket } });
    assert.equal(await served(port), 'one');
    await writeFile(file, config(port, 'two'));
    const changed = await reload(socket);
    assert.equal(changed.code, 0, changed.stderr);
    await eventually(async () => (await served(port)) === 'two', 'the new config is served');
    assert.equal(haproxy.reloads, 1);

    await writeFile(file, config(port, 'three', 'frontend broken\n    no-such-keyword'));
    const refused = await reload(socket);
    const { stdout } = await promisify(execFile)(findHaproxy()!, ['-v']);
    const [major, minor] = (/version (\d+)\.(\d+)/.exec(stdout) ?? assert.fail(stdout)).slice(1).map(Number) as [number, number];
    // HAProxy 2.7 and later answer "Success=0" to a refused reload; 2.6 answers nothing.
    assert.equal(refused.code, major > 2 || minor >= 7 ? 1 : 0, refused.stderr);
    await eventually(() => haproxy!.output.includes('no-such-keyword'), 'the master read the refused config');
    assert.equal(await served(port), 'two', 'the workers keep the last good config');
  });

  test('a socket nobody listens on fails, so informant retries the on_change', async () => {
    const stale = join(dir, 'stale.sock');
    await writeFile(stale, '');
    const result = await reload(stale);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /stale\.sock: connect ECONNREFUSED/);
  });
});
