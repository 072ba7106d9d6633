import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startCli, type RunningCli } from '../support/cli.ts';
import { eventually } from '../support/waiters.ts';

const dirs: string[] = [];
const running: RunningCli[] = [];
after(async () => {
  for (const cli of running) await cli.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const SERVICE = 'apiVersion: v1\nkind: Service\nmetadata: {namespace: shop, name: web}\nspec: {ports: [{port: 80}]}\n';

function configYaml(template: string, onChange = '', render = 'render: {debounce: 50ms, max_wait: 500ms}'): string {
  return `
watched_resources:
  services: {api_version: v1, kind: Service}
source:
  files: {path: manifests}
templates:
  services:
    inline: "${template}"
    output: out/services.txt
${onChange}
${render}
server: {listen: "127.0.0.1:0"}
`;
}

async function setup(template: string, onChange = '', render?: string) {
  const dir = await mkdtemp(join(tmpdir(), 'informant-process-'));
  dirs.push(dir);
  await mkdir(join(dir, 'manifests'));
  await writeFile(join(dir, 'manifests', 'web.yaml'), SERVICE);
  const file = join(dir, 'config.yaml');
  await writeFile(file, configYaml(template, onChange, render));
  return { dir, file, output: join(dir, 'out', 'services.txt') };
}

/** The server address from the "listening" log line. */
function serverUrl(cli: RunningCli): string | undefined {
  for (const line of cli.output().split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; address?: string };
    if (entry.msg === 'listening' && entry.address) return entry.address;
  }
  return undefined;
}

const readOutput = (path: string) => readFile(path, 'utf8').catch(() => undefined);

describe('informant run as a process', () => {
  test('serves probes, reloads on SIGHUP, and exits 0 on SIGTERM', async () => {
    const { file, output } = await setup('{% for s in resources.services %}{{ s.metadata.name }}{% endfor %}');
    const cli = startCli(['run', '--config', file, '--no-watch-config']);
    running.push(cli);
    await eventually(async () => (await readOutput(output)) === 'web', 'the first render');
    const url = await eventually(() => serverUrl(cli), 'the server listens');
    await eventually(async () => (await fetch(`${url}/readyz`)).status === 200, '/readyz is ready');
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.match(await (await fetch(`${url}/metrics`)).text(), /process_cpu_user_seconds_total/);

    await writeFile(file, configYaml('v2 {{ resources.services | length }}'));
    cli.child.kill('SIGHUP');
    await eventually(async () => (await readOutput(output)) === 'v2 1', 'the reloaded template renders');
    assert.match(cli.output(), /"trigger":"SIGHUP"/);

    assert.equal(await cli.stop(), 0);
    assert.match(cli.output(), /"msg":"shutting down"/);
    assert.match(cli.output(), /"component":"daemon","msg":"stopped"/);
  });

  test('a shutdown that waits on a hanging on_change is cut off at the shutdown timeout, still exiting 0', async () => {
    const { dir, file } = await setup('x', '    on_change: ["sh", "-c", "echo $$ > hang.pid; exec sleep 60"]');
    const cli = startCli(['run', '--config', file, '--shutdown-timeout', '500ms']);
    running.push(cli);
    const pid = Number(await eventually(() => readOutput(join(dir, 'hang.pid')), 'on_change is running'));
    assert.equal(await cli.stop(), 0);
    assert.match(cli.output(), /shutdown took longer than 0\.5 s; abandoning the render in progress/);
    await eventually(async () => {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
      return stat === undefined || stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z';
    }, 'the hanging command was killed');
  });

  test('a render that runs away is stopped at render.timeout: probes answer, the error is reported, SIGTERM exits 0', async () => {
    const runaway = '{% for i in range(0, 100000) %}{% for j in range(0, 100000) %}{% endfor %}{% endfor %}';
    const { file } = await setup(runaway, '', 'render: {debounce: 50ms, max_wait: 500ms, timeout: 1s}');
    const cli = startCli(['run', '--config', file, '--no-watch-config']);
    running.push(cli);
    const url = await eventually(() => serverUrl(cli), 'the server listens');
    // Renders keep being retried (and stopped); probes are answered between them.
    const ready = await eventually(async () => {
      const answer = await fetch(`${url}/readyz`);
      const body = (await answer.json()) as { reasons?: string[] };
      return body.reasons?.find((r) => r.includes('render.timeout'));
    }, '/readyz reports the stopped render');
    assert.match(ready, /^template "services": render failed: <inline:services>:1:\d+: the render took longer than render\.timeout \(1 s\)/);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.equal(await cli.stop(), 0);
  });
});
