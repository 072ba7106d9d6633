import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { ExecConfig } from '../../src/config/types.ts';
import { ChildSupervisor, type ChildExit } from '../../src/exec/index.ts';
import { silentLogger } from '../../src/log.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { eventually } from '../support/waiters.ts';
import { FAKE_PROXY, proxyEventNames, proxyEvents } from './support/record.ts';

const dirs: string[] = [];
const supervisors: ChildSupervisor[] = [];
after(async () => {
  for (const supervisor of supervisors) await supervisor.stop('SIGKILL');
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** A supervisor of the fake proxy (with `env` settings for it) on a fake clock. */
async function setup(settings: Partial<ExecConfig> = {}, env: string[] = []) {
  const dir = await mkdtemp(join(tmpdir(), 'informant-exec-'));
  dirs.push(dir);
  const record = join(dir, 'record.jsonl');
  const clock = new FakeClock();
  const exits: ChildExit[] = [];
  const supervisor = new ChildSupervisor({
    settings: { command: ['env', ...env, process.execPath, FAKE_PROXY, record], reloadSignal: 'SIGHUP', killTimeoutMs: 5_000, onExit: 'exit', ...settings },
    cwd: dir,
    logger: silentLogger(),
    clock,
    commandTimeoutMs: 10_000,
    onExit: (exit) => exits.push(exit),
  });
  supervisors.push(supervisor);
  const started = async (count = 1) => eventually(async () => (await proxyEventNames(record)).filter((e) => e === 'start').length >= count, `the child started ${count} time(s)`);
  const recorded = async (name: string) => eventually(async () => (await proxyEventNames(record)).includes(name), `the child recorded ${name}`);
  return { dir, record, clock, exits, supervisor, started, recorded };
}

describe('ChildSupervisor', () => {
  test('starts the child once, and reload() sends it reload_signal', async () => {
    const { record, supervisor, started, recorded } = await setup({ reloadSignal: 'SIGUSR2' });
    assert.equal(supervisor.started, false);
    supervisor.start();
    supervisor.start();
    await started();
    assert.equal(supervisor.state().running, true);
    assert.equal(supervisor.state().starts, 1);
    await supervisor.reload();
    await recorded('SIGUSR2');
    assert.deepEqual(await proxyEventNames(record), ['start', 'SIGUSR2']);
    assert.deepEqual(supervisor.state().reloads, { sent: 1, failed: 0 });
  });

  test('reload_command runs instead, with INFORMANT_CHILD_PID; a failing one is counted', async () => {
    const signalChild = 'process.kill(Number(process.env.INFORMANT_CHILD_PID), "SIGUSR1")';
    const { record, supervisor, started, recorded } = await setup({ reloadCommand: [process.execPath, '-e', signalChild] });
    supervisor.start();
    await started();
    await supervisor.reload();
    await recorded('SIGUSR1');
    assert.deepEqual(await proxyEventNames(record), ['start', 'SIGUSR1'], 'no reload_signal besides the command');
    assert.deepEqual(supervisor.state().reloads, { sent: 1, failed: 0 });

    const failing = await setup({ reloadCommand: [process.execPath, '-e', 'process.exit(4)'] });
    failing.supervisor.start();
    await failing.started();
    await failing.supervisor.reload();
    assert.deepEqual(failing.supervisor.state().reloads, { sent: 1, failed: 1 });
  });

  test('reloads asked for while a reload_command runs are run once after it, never overlapping', async () => {
    const { dir, supervisor, started } = await setup({
      reloadCommand: ['sh', '-c', 'echo begin >> reloads.txt; sleep 0.2; echo end >> reloads.txt'],
    });
    supervisor.start();
    await started();
    const first = supervisor.reload();
    void supervisor.reload();
    void supervisor.reload();
    await first;
    assert.equal(await readFile(join(dir, 'reloads.txt'), 'utf8'), 'begin\nend\nbegin\nend\n');
    assert.deepEqual(supervisor.state().reloads, { sent: 2, failed: 0 });
  });

  test('stop() passes on the signal informant received, or kill_signal when set', async () => {
    const { record, supervisor, started, exits } = await setup();
    supervisor.start();
    await started();
    const exit = await supervisor.stop('SIGINT');
    assert.deepEqual(exit, { code: 0, signal: null, killed: false, sent: 'SIGINT' });
    assert.deepEqual(await proxyEventNames(record), ['start', 'SIGINT']);
    assert.equal(supervisor.state().running, false);
    assert.deepEqual(exits, [], 'a child informant stopped is not reported as exiting on its own');

    const quit = await setup({ killSignal: 'SIGQUIT' });
    quit.supervisor.start();
    await quit.started();
    await quit.supervisor.stop('SIGTERM');
    assert.deepEqual(await proxyEventNames(quit.record), ['start', 'SIGQUIT']);
  });

  test('a child that ignores the stop signal gets SIGKILL after kill_timeout', async () => {
    const { supervisor, clock, started, recorded } = await setup({ killTimeoutMs: 5_000 }, ['FAKE_PROXY_IGNORE=SIGTERM']);
    supervisor.start();
    await started();
    let done = false;
    const stopped = supervisor.stop('SIGTERM').finally(() => (done = true));
    await recorded('SIGTERM');
    clock.advance(4_999);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(done, false, 'still waiting before kill_timeout');
    assert.equal(supervisor.state().running, true);
    clock.advance(1);
    assert.deepEqual(await stopped, { code: null, signal: 'SIGKILL', killed: true, sent: 'SIGTERM' });
  });

  test('on_exit: exit reports how the child exited on its own, and does not start it again', async () => {
    const { supervisor, clock, exits, started } = await setup({}, ['FAKE_PROXY_EXIT=3']);
    supervisor.start();
    await started();
    await eventually(() => exits.length === 1, 'the exit is reported');
    assert.deepEqual(exits, [{ code: 3, signal: null }]);
    assert.equal(clock.pending, 0, 'no restart scheduled');
    assert.equal(supervisor.state().running, false);
    assert.equal(supervisor.state().lastExit?.code, 3);
  });

  test('on_exit: restart starts the child again after a backoff that doubles', async () => {
    const { record, supervisor, clock, exits, started } = await setup({ onExit: 'restart' }, ['FAKE_PROXY_EXIT=3']);
    supervisor.start();
    await started();
    await eventually(() => supervisor.state().restartAt !== undefined, 'a restart is scheduled');
    assert.equal(supervisor.state().restartAt, 1_000);
    supervisor.start(); // e.g. a render cycle: does not jump the backoff
    clock.advance(999);
    assert.equal(supervisor.state().starts, 1);
    clock.advance(1);
    await started(2);
    await eventually(() => supervisor.state().restartAt !== undefined, 'the next restart is scheduled');
    assert.equal(supervisor.state().restartAt, 1_000 + 2_000);
    assert.deepEqual(exits, [], 'never reported as final');
    assert.equal(await supervisor.stop(), undefined, 'nothing running to stop');
    assert.equal(clock.pending, 0, 'the scheduled restart is cancelled');
    assert.equal((await proxyEvents(record)).length, 2);
  });

  test('a command that cannot be started exits with 127', async () => {
    const exits: ChildExit[] = [];
    const supervisor = new ChildSupervisor({
      settings: { command: ['/nonexistent/proxy'], reloadSignal: 'SIGHUP', killTimeoutMs: 1_000, onExit: 'exit' },
      cwd: tmpdir(),
      logger: silentLogger(),
      clock: new FakeClock(),
      commandTimeoutMs: 1_000,
      onExit: (exit) => exits.push(exit),
    });
    supervisor.start();
    await eventually(() => exits.length === 1, 'the failed start is reported');
    assert.deepEqual(exits, [{ code: 127, signal: null }]);
  });
});
