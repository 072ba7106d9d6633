import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { Daemon } from '../../src/daemon/daemon.ts';
import { silentLogger } from '../../src/log.ts';
import { eventually } from '../support/waiters.ts';
import { proxyEventNames, proxyEvents, proxyFolder, serviceManifest } from '../exec/support/record.ts';

const dirs: string[] = [];
const daemons: Daemon[] = [];
after(async () => {
  for (const daemon of daemons) await daemon.stop('SIGKILL');
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** A daemon over a files source whose exec child is the fake proxy serving out/services.txt. */
async function setup(options: { env?: string[]; exec?: string; gate?: boolean; extra?: string } = {}) {
  // gate fails until three Services exist: the child must wait for it.
  const gate = '  gate:\n    inline: "{% if resources.services | length < 3 %}{{ not_a_function() }}{% endif %}ok"\n    output: out/gate.txt\n';
  const { dir, file, record } = await proxyFolder({ ...options, services: ['web', 'api'], templates: options.gate ? gate : '', extra: `logging: {level: silent}\n${options.extra ?? ''}` });
  dirs.push(dir);
  const exits: number[] = [];
  const load = () => loadConfig(file);
  const daemon = new Daemon({ config: await load(), logger: silentLogger(), loadConfig: load, watchConfig: false, processMetrics: false, onChildExit: (code) => exits.push(code) });
  daemons.push(daemon);
  return { dir, daemon, record, exits, manifest: (name: string, label?: string) => writeFile(join(dir, 'manifests', `${name}.yaml`), serviceManifest(name, label)) };
}

/** Waits for a render cycle after `count` cycles, and for the controller to be idle. */
async function cycleAfter(daemon: Daemon, count: number): Promise<void> {
  await eventually(() => daemon.controller.status().renders.count > count, `render cycle ${count + 1}`);
  await daemon.controller.idle();
}

describe('Daemon in exec mode', () => {
  test('starts the child once every template has an output, reloads it after a change only, and passes SIGTERM on', async () => {
    const { daemon, record, manifest } = await setup({ gate: true });
    await daemon.start();
    await daemon.controller.waitForSync();
    await cycleAfter(daemon, 0);
    assert.equal(daemon.controller.status().templates.find((t) => t.template === 'gate')?.last?.status, 'failed');
    assert.equal(daemon.childState()?.starts, 0, 'not started while a template has no output');
    assert.deepEqual(await proxyEvents(record), []);

    await manifest('cache');
    await eventually(async () => (await proxyEventNames(record)).includes('start'), 'the child starts');
    const [start] = await proxyEvents(record);
    assert.equal(start?.content, 'api cache web ', 'the child starts with the rendered output in place');

    let count = daemon.controller.status().renders.count;
    await manifest('web', 'b'); // a change the output does not show
    await cycleAfter(daemon, count);
    assert.equal(daemon.childState()?.reloads.sent, 0, 'no reload after a cycle that changed no output');

    count = daemon.controller.status().renders.count;
    await manifest('db');
    await eventually(async () => (await proxyEventNames(record)).includes('SIGHUP'), 'the child is reloaded');
    const events = await proxyEvents(record);
    assert.deepEqual(events.map((e) => e.signal ?? e.event), ['start', 'SIGHUP']);
    assert.equal(events[1]?.content, 'api cache db web ', 'the reload comes after the new output is in place');

    await daemon.stop('SIGTERM');
    assert.deepEqual(await proxyEventNames(record), ['start', 'SIGHUP', 'SIGTERM']);
    assert.equal(daemon.childState()?.running, false);
    assert.equal(daemon.exitCode, 0);
  });

  test('the child exiting on its own is reported, and becomes the exit code', async () => {
    const { daemon, exits } = await setup({ env: ['FAKE_PROXY_EXIT=3'] });
    await daemon.start();
    await eventually(() => exits.length === 1, 'the exit is reported');
    assert.deepEqual(exits, [3]);
    await daemon.stop();
    assert.equal(daemon.exitCode, 3);
  });

  test('exit code after a stop: the child\'s own code, 0 for "ended by the signal sent", 1 when it had to be killed', async () => {
    const cases = [
      { env: ['FAKE_PROXY_TERM_CODE=7'], exec: '', code: 7 },
      { env: ['FAKE_PROXY_TERM_CODE=143'], exec: '', code: 0 },
      { env: ['FAKE_PROXY_IGNORE=SIGTERM'], exec: ', kill_timeout: 100ms', code: 1 },
    ];
    for (const { env, exec, code } of cases) {
      const { daemon, record } = await setup({ env, exec });
      await daemon.start();
      await eventually(async () => (await proxyEventNames(record)).includes('start'), 'the child starts');
      await daemon.stop('SIGTERM');
      assert.equal(daemon.exitCode, code, env.join(' '));
    }
  });

  test('exec is listed in /debug/sync and the child\'s metrics are exported', async () => {
    const { daemon: served, record } = await setup({ extra: 'server: {listen: "127.0.0.1:0", debug: true, debug_listen: "127.0.0.1:0"}' });
    await served.start();
    await eventually(async () => (await proxyEventNames(record)).includes('start'), 'the child starts');
    const sync = (await (await fetch(`${served.debugUrl}/debug/sync`)).json()) as { exec?: { running: boolean; starts: number; command: string } };
    assert.equal(sync.exec?.running, true);
    assert.equal(sync.exec?.starts, 1);
    assert.match(sync.exec?.command ?? '', /fake-proxy\.ts/);
    const metrics = await (await fetch(`${served.serverUrl}/metrics`)).text();
    assert.match(metrics, /^informant_child_running 1$/m);
    assert.match(metrics, /^informant_child_starts_total 1$/m);
    assert.match(metrics, /^informant_child_reloads_total 0$/m);
    await served.stop();
  });
});
