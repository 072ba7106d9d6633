/**
 * Exec mode with the proxy it is made for: `informant run` starts a real HAProxy in
 * master-worker mode (`haproxy -W -db`) on the config it rendered, reloads it with SIGUSR2
 * when a change gives a new config, and stops it with itself: the README's example.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startCli, type RunningCli } from '../support/cli.ts';
import { findHaproxy, haproxySkipReason } from '../support/haproxy.ts';
import { freePort } from '../support/local-server.ts';
import { eventually } from '../support/waiters.ts';
import { serviceManifest } from '../exec/support/record.ts';

const dirs: string[] = [];
const running: RunningCli[] = [];
after(async () => {
  for (const cli of running) await cli.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** An HAProxy that answers every request with the names of the Services. */
const TEMPLATE = `global
  log stderr format short local0 notice
  hard-stop-after {{ vars.hard_stop_after }}
defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend web
  bind 127.0.0.1:{{ vars.port }}
  http-request return status 200 content-type text/plain string "{% for s in resources.services %}{{ s.metadata.name | dns_name }} {% endfor %}"
`;

/** The body HAProxy answers with, or undefined while it does not answer. */
async function answer(port: number): Promise<string | undefined> {
  try {
    return await (await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) })).text();
  } catch {
    return undefined;
  }
}

/** Starts `informant run` with exec on HAProxy (`execExtra`: more exec keys) once it answers with the first rendering. */
async function startWithHaproxy(execExtra: string): Promise<{ dir: string; port: number; cli: RunningCli }> {
  const dir = await mkdtemp(join(tmpdir(), 'informant-exec-haproxy-'));
  dirs.push(dir);
  const port = await freePort();
  await mkdir(join(dir, 'manifests'));
  await writeFile(join(dir, 'manifests', 'web.yaml'), serviceManifest('web'));
  await writeFile(join(dir, 'haproxy.cfg.njk'), TEMPLATE);
  const haproxy = findHaproxy() ?? 'haproxy';
  await writeFile(
    join(dir, 'config.yaml'),
    `watched_resources:
  services: {api_version: v1, kind: Service}
source:
  files: {path: manifests}
templates:
  haproxy.cfg:
    path: haproxy.cfg.njk
    output: out/haproxy.cfg
    vars: {port: ${port}, hard_stop_after: 2s}
    validate: [${JSON.stringify(haproxy)}, "-c", "-q", "-f", "{{ file }}"]
render: {debounce: 20ms, max_wait: 200ms}
exec:
  command: [${JSON.stringify(haproxy)}, "-W", "-db", "-f", "out/haproxy.cfg"]
  reload_signal: SIGUSR2
${execExtra}`,
  );
  const cli = startCli(['run', '--config', join(dir, 'config.yaml'), '--no-watch-config']);
  running.push(cli);
  await eventually(async () => (await answer(port)) === 'web ', 'HAProxy answers with the first rendering');
  return { dir, port, cli };
}

describe('informant run with exec: a real HAProxy', { skip: haproxySkipReason() }, () => {
  test('starts HAProxy on the first rendering, reloads it with SIGUSR2 on a change, and stops it on SIGTERM', async () => {
    const { dir, port, cli } = await startWithHaproxy('  kill_timeout: 10s\n');
    await writeFile(join(dir, 'manifests', 'api.yaml'), serviceManifest('api'));
    await eventually(async () => (await answer(port)) === 'api web ', 'HAProxy answers with the new rendering after the reload');
    assert.match(cli.output(), /"signal":"SIGUSR2","msg":"output changed: reloading the child"/);

    assert.equal(await cli.stop(), 0, cli.output());
    assert.equal(await answer(port), undefined, 'HAProxy stopped with informant');
  });
});
