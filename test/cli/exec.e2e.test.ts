import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startCli, type RunningCli } from '../support/cli.ts';
import { eventually } from '../support/waiters.ts';
import { FAKE_PROXY, proxyEventNames, proxyEvents } from '../exec/support/record.ts';

const dirs: string[] = [];
const running: RunningCli[] = [];
after(async () => {
  for (const cli of running) await cli.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const service = (name: string) => `apiVersion: v1\nkind: Service\nmetadata: {namespace: shop, name: ${name}}\nspec: {ports: [{port: 80}]}\n`;

/** `informant run` supervising the fake proxy, which serves out/services.txt. */
async function start(exec: string, env: string[] = []) {
  const dir = await mkdtemp(join(tmpdir(), 'informant-exec-e2e-'));
  dirs.push(dir);
  await mkdir(join(dir, 'manifests'));
  await writeFile(join(dir, 'manifests', 'web.yaml'), service('web'));
  const command = JSON.stringify(['env', ...env, process.execPath, FAKE_PROXY, 'record.jsonl', 'out/services.txt']);
  await writeFile(
    join(dir, 'config.yaml'),
    `
watched_resources:
  services: {api_version: v1, kind: Service}
source:
  files: {path: manifests}
templates:
  services:
    inline: "{% for s in resources.services %}{{ s.metadata.name }} {% endfor %}"
    output: out/services.txt
render: {debounce: 20ms, max_wait: 200ms}
exec: {command: ${command}${exec}}
`,
  );
  const cli = startCli(['run', '--config', join(dir, 'config.yaml'), '--no-watch-config']);
  running.push(cli);
  return { dir, cli, record: join(dir, 'record.jsonl') };
}

describe('informant run with exec', () => {
  test('starts the proxy after the first render, reloads it with reload_signal on a change, and passes SIGTERM on', async () => {
    const { dir, cli, record } = await start(', reload_signal: SIGUSR2');
    await eventually(async () => (await proxyEventNames(record)).includes('start'), 'the proxy starts');
    assert.equal((await proxyEvents(record))[0]?.content, 'web ');

    await writeFile(join(dir, 'manifests', 'api.yaml'), service('api'));
    await eventually(async () => (await proxyEventNames(record)).includes('SIGUSR2'), 'the proxy is reloaded');
    assert.equal((await proxyEvents(record))[1]?.content, 'api web ');

    assert.equal(await cli.stop(), 0);
    assert.deepEqual(await proxyEventNames(record), ['start', 'SIGUSR2', 'SIGTERM']);
    assert.match(cli.output(), /"msg":"stopped"/);
  });

  test('exits with the code of a proxy that exits on its own', async () => {
    const { cli } = await start('', ['FAKE_PROXY_EXIT=3']);
    await eventually(() => cli.child.exitCode !== null, 'informant exits');
    assert.equal(await cli.stop(), 3);
    assert.match(cli.output(), /informant exits with it/);
  });
});
