import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CommandError, formatArgv, runCommand, substituteFile } from '../../src/output/command.ts';
import { eventually } from '../support/waiters.ts';
import { FakeClock } from '../support/fake-clock.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** Whether the process runs (a zombie waiting to be reaped does not count). */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return false;
  return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'informant-command-'));
  dirs.push(dir);
  return dir;
}

describe('runCommand', () => {
  test('runs the program without a shell and reports its exit code and output', async () => {
    const clock = new FakeClock();
    const result = await runCommand(['sh', '-c', 'echo "out $1"; echo err >&2; exit 3', 'sh', 'a b'], { timeoutMs: 1000, clock });
    assert.equal(result.ok, false);
    assert.equal(result.exitCode, 3);
    assert.equal(result.stdout, 'out a b\n');
    assert.equal(result.stderr, 'err\n');
    assert.equal(result.timedOut, false);
    const error = new CommandError('validate', result);
    assert.match(error.message, /^validate \(sh -c .* sh "a b"\) exited with code 3: err$/);
  });

  test('passes arguments literally: shell syntax in an argument is not interpreted', async () => {
    const clock = new FakeClock();
    const result = await runCommand(['echo', '$(id) ; rm -rf /tmp/x'], { timeoutMs: 1000, clock });
    assert.equal(result.ok, true);
    assert.equal(result.stdout, '$(id) ; rm -rf /tmp/x\n');
  });

  test('reports a program that does not exist as a spawn failure', async () => {
    const result = await runCommand(['informant-no-such-program'], { timeoutMs: 1000, clock: new FakeClock() });
    assert.equal(result.ok, false);
    assert.equal((result.spawnError as NodeJS.ErrnoException | undefined)?.code, 'ENOENT');
    assert.match(new CommandError('on_change', result).message, /could not be started: .*ENOENT/);
  });

  test('keeps only the last bytes of a long output', async () => {
    const script = 'i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done';
    const result = await runCommand(['sh', '-c', script], { timeoutMs: 5000, clock: new FakeClock(), maxOutputBytes: 100 });
    assert.equal(result.ok, true);
    assert.equal(result.truncated, true);
    assert.ok(result.stdout.length <= 100);
    assert.ok(result.stdout.endsWith('line 1999\n'));
  });

  test('stops a command at its timeout with SIGTERM, then SIGKILL when it ignores SIGTERM', async () => {
    const marker = join(await tempDir(), 'trapped');
    const clock = new FakeClock();
    const running = runCommand(['sh', '-c', `trap "" TERM; touch ${marker}; sleep 30`], { timeoutMs: 1000, killAfterMs: 500, clock });
    await eventually(() => readFile(marker).then(() => true, () => false), 'the command ignores SIGTERM');
    clock.advance(1000);
    await eventually(() => clock.pending >= 1, 'the kill timer is armed');
    clock.advance(500);
    const result = await running;
    assert.equal(result.timedOut, true);
    assert.equal(result.signal, 'SIGKILL');
    assert.match(new CommandError('validate', result).message, /timed out after 1\.5 s and was stopped/);
  });

  test('stops the whole process group, not only the first process', async () => {
    const pidFile = join(await tempDir(), 'pid');
    const clock = new FakeClock();
    const running = runCommand(['sh', '-c', `sleep 30 & echo $! > ${pidFile}; wait`], { timeoutMs: 1000, clock });
    const pid = Number(await eventually(() => readFile(pidFile, 'utf8').catch(() => undefined), 'the grandchild started'));
    clock.advance(1000);
    const result = await running;
    assert.equal(result.timedOut, true);
    await eventually(async () => !(await alive(pid)), 'the grandchild is gone');
  });

  test('ends what a command left running in its group once it exits', async () => {
    const pidFile = join(await tempDir(), 'pid');
    const clock = new FakeClock();
    const result = await runCommand(['sh', '-c', `sleep 30 > /dev/null 2>&1 & echo $! > ${pidFile}`], { timeoutMs: 60_000, clock });
    assert.equal(result.ok, true, 'the command itself succeeded');
    assert.equal(result.strays, true);
    const pid = Number(await readFile(pidFile, 'utf8'));
    await eventually(async () => !(await alive(pid)), 'the background process is gone');
  });

  test('a command that leaves nothing behind has no strays', async () => {
    const result = await runCommand(['sh', '-c', 'exit 0'], { timeoutMs: 60_000, clock: new FakeClock() });
    assert.equal(result.strays, false);
  });

  test('stops a running command when the caller aborts', async () => {
    const abort = new AbortController();
    const running = runCommand(['sleep', '30'], { timeoutMs: 60_000, clock: new FakeClock(), signal: abort.signal });
    abort.abort();
    const result = await running;
    assert.equal(result.aborted, true);
    assert.equal(result.ok, false);
    assert.equal(result.signal, 'SIGTERM');
  });
});

describe('command lines', () => {
  test('substituteFile replaces {{ file }} with any spacing in every argument', () => {
    assert.deepEqual(substituteFile(['haproxy', '-c', '-f', '{{ file }}', '--x={{file}}', '{{  file}}'], '/o/.h.candidate'), [
      'haproxy',
      '-c',
      '-f',
      '/o/.h.candidate',
      '--x=/o/.h.candidate',
      '/o/.h.candidate',
    ]);
  });

  test('formatArgv quotes arguments that need it', () => {
    assert.equal(formatArgv(['sh', '-c', 'kill -USR2 1', '/a/b.cfg']), 'sh -c "kill -USR2 1" /a/b.cfg');
  });
});
