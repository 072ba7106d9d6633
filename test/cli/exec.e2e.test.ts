import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startCli, type RunningCli } from '../support/cli.ts';
import { eventually } from '../support/waiters.ts';
import { proxyEventNames, proxyEvents, proxyFolder, serviceManifest } from '../exec/support/record.ts';

const dirs: string[] = [];
const running: RunningCli[] = [];
after(async () => {
  for (const cli of running) await cli.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** `informant run` supervising the fake proxy, which serves out/services.txt. */
async function start(exec: string, env: string[] = []) {
  const { dir, file, record } = await proxyFolder({ services: ['web'], exec, env });
  dirs.push(dir);
  const cli = startCli(['run', '--config', file, '--no-watch-config']);
  running.push(cli);
  return { dir, cli, record };
}

describe('informant run with exec', () => {
  test('starts the proxy after the first render, reloads it with reload_signal on a change, and passes SIGTERM on', async () => {
    const { dir, cli, record } = await start(', reload_signal: SIGUSR2');
    await eventually(async () => (await proxyEventNames(record)).includes('start'), 'the proxy starts');
    assert.equal((await proxyEvents(record))[0]?.content, 'web ');

    await writeFile(join(dir, 'manifests', 'api.yaml'), serviceManifest('api'));
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
