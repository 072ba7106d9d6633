import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { TemplateConfig } from '../../src/config/types.ts';
import { silentLogger } from '../../src/log.ts';
import { TemplateOutput } from '../../src/output/template-output.ts';
import { eventually } from '../support/waiters.ts';
import { FakeClock } from '../support/fake-clock.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** A command that appends its arguments (one line) to `log` and exits with `code`. */
function recorder(log: string, label: string, code = 0): string[] {
  return ['sh', '-c', `echo "${label} $*" >> ${log}; [ -f "$1" ] && cat "$1" >> ${log}; echo "${label} said no" >&2; exit ${code}`, 'sh', '{{ file }}'];
}

type TemplateExtras = Partial<TemplateConfig> | ((log: string) => Partial<TemplateConfig>);

async function setup(extras: TemplateExtras = {}, options: { runCommands?: boolean } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'informant-output-'));
  dirs.push(dir);
  const output = join(dir, 'out', 'haproxy.cfg');
  const log = join(dir, 'commands.log');
  const clock = new FakeClock();
  const template: TemplateConfig = { name: 'haproxy.cfg', output, mode: 0o640, ...(typeof extras === 'function' ? extras(log) : extras) };
  const create = (): TemplateOutput =>
    new TemplateOutput({
      template,
      clock,
      logger: silentLogger(),
      runCommands: options.runCommands ?? true,
      commandTimeoutMs: 10_000,
      cwd: dir,
    });
  const commands = async (): Promise<string> => readFile(log, 'utf8').catch(() => '');
  return { dir, output, log, clock, target: create(), create, commands };
}

describe('TemplateOutput', () => {
  test('validates the candidate beside the output, replaces the output, then runs on_change', async () => {
    const { dir, output, target, commands } = await setup((log) => ({ validate: recorder(log, 'validate'), onChange: recorder(log, 'on_change') }));
    const result = await target.replace('global\n', true);
    assert.deepEqual(result, { status: 'written' });
    assert.equal(await readFile(output, 'utf8'), 'global\n');
    assert.equal((await stat(output)).mode & 0o777, 0o640);
    const candidate = /^validate (.*)\n/.exec(await commands())?.[1] ?? '';
    assert.match(candidate, new RegExp(`^${join(dir, 'out')}/\\.haproxy\\.cfg\\.[0-9a-f]{12}\\.candidate$`), 'a fresh name beside the output');
    assert.equal(await commands(), `validate ${candidate}\nglobal\non_change ${output}\nglobal\n`);
    assert.deepEqual(await readdir(join(output, '..')), ['haproxy.cfg'], 'the candidate became the output');
    assert.equal(target.onChangePending, false);
  });

  test('a failing validate leaves the old file byte-identical, runs no on_change and names the command', async () => {
    const { output, target, commands } = await setup((log) => ({ validate: recorder(log, 'validate', 1), onChange: recorder(log, 'on_change') }));
    await mkdir(join(output, '..'), { recursive: true });
    await writeFile(output, 'old\n');
    const before = await readFile(output);
    const inode = (await stat(output)).ino;
    const result = await target.replace('broken\n', true);
    assert.equal(result.status, 'failed');
    assert.equal(result.stage, 'validate');
    assert.match(
      result.error?.message ?? '',
      /^template "haproxy\.cfg": validate rejected the new output; kept the previous one: \(sh -c .*\) exited with code 1: validate said no$/,
    );
    assert.deepEqual(await readFile(output), before);
    assert.equal((await stat(output)).ino, inode, 'the output was not replaced');
    assert.deepEqual(await readdir(join(output, '..')), ['haproxy.cfg'], 'the rejected candidate is removed');
    assert.match(await commands(), /^validate /);
    assert.doesNotMatch(await commands(), /on_change/);
    assert.equal(target.rejectedCandidate, 'broken\n');
  });

  test('never writes through a symbolic link planted beside the output, at the old candidate name or at the output', async () => {
    const { dir, output, target } = await setup({ backup: true });
    const victim = join(dir, 'victim');
    await writeFile(victim, 'precious\n', { mode: 0o600 });
    await mkdir(join(output, '..'), { recursive: true });
    await symlink(victim, join(dir, 'out', '.haproxy.cfg.candidate'));
    await symlink(victim, join(dir, 'out', 'haproxy.cfg.bak.tmp'));
    await symlink(victim, output);
    assert.equal((await target.replace('global\n', true)).status, 'written');
    assert.equal(await readFile(victim, 'utf8'), 'precious\n', "the link's target is untouched");
    assert.equal((await stat(victim)).mode & 0o777, 0o600, 'and not chmod-ed');
    assert.equal((await lstat(output)).isSymbolicLink(), false, 'the output is a file of its own now');
    assert.equal(await readFile(output, 'utf8'), 'global\n');
    assert.deepEqual((await readdir(join(dir, 'out'))).sort(), ['.haproxy.cfg.candidate', 'haproxy.cfg', 'haproxy.cfg.bak.tmp'], 'no backup read through the link');
  });

  test('does not run validate again for a rendering it already rejected', async () => {
    const { target, commands } = await setup((log) => ({ validate: recorder(log, 'validate', 1) }));
    assert.equal((await target.replace('broken\n', true)).stage, 'validate');
    const runs = (await commands()).split('\n').filter((line) => line.startsWith('validate')).length;
    const again = await target.replace('broken\n', true);
    assert.equal(again.status, 'failed');
    assert.equal(again.stage, 'validate');
    assert.equal((await commands()).split('\n').filter((line) => line.startsWith('validate')).length, runs);
  });

  test('an unchanged rendering writes nothing and runs nothing, also after a restart', async () => {
    const { output, target, create, commands } = await setup((log) => ({ validate: recorder(log, 'validate'), onChange: recorder(log, 'on_change') }));
    await target.replace('same\n', true);
    const ran = await commands();
    assert.match(ran, /^validate .*\non_change /s);
    const before = await stat(output);
    assert.deepEqual(await target.replace('same\n', true), { status: 'unchanged' });
    assert.deepEqual(await create().replace('same\n', true), { status: 'unchanged' }, 'a new process reads the checksum from disk');
    assert.equal((await stat(output)).ino, before.ino);
    assert.equal((await stat(output)).mtimeMs, before.mtimeMs);
    assert.equal(await commands(), ran);
  });

  test('a failing on_change is reported after the replace and retried with the next replace', async () => {
    const { dir, output, target, commands } = await setup((log) => ({
      onChange: ['sh', '-c', `echo reload >> ${log}; [ -f reload-works ] || { echo "haproxy not running" >&2; exit 7; }`],
    }));
    const flag = join(dir, 'reload-works');
    const result = await target.replace('v1\n', true);
    assert.equal(result.status, 'written');
    assert.equal(result.stage, 'on_change');
    assert.match(result.error?.message ?? '', /on_change failed after .*haproxy\.cfg was replaced: .*exited with code 7: haproxy not running/);
    assert.equal(await readFile(output, 'utf8'), 'v1\n');
    assert.equal(target.onChangePending, true);
    await writeFile(flag, '');
    assert.deepEqual(await target.replace('v1\n', true), { status: 'unchanged' });
    assert.equal(target.onChangePending, false);
    assert.equal(await commands(), 'reload\nreload\n');
  });

  test('leaves on_change pending when this replica may not run it, and runs it once it may', async () => {
    const { target, commands } = await setup((log) => ({ onChange: recorder(log, 'on_change') }));
    assert.deepEqual(await target.replace('v1\n', false), { status: 'written' });
    assert.equal(target.onChangePending, true);
    assert.equal(await commands(), '');
    assert.deepEqual(await target.runPendingOnChange(true), { status: 'unchanged' });
    assert.equal(target.onChangePending, false);
    assert.match(await commands(), /^on_change /);
  });

  test('keeps the previous output as <output>.bak when backup is on', async () => {
    const { output, target } = await setup({ backup: true });
    await target.replace('v1\n', true);
    assert.deepEqual(await readdir(join(output, '..')), ['haproxy.cfg'], 'no backup of a file that did not exist');
    await target.replace('v2\n', true);
    assert.equal(await readFile(output, 'utf8'), 'v2\n');
    assert.equal(await readFile(`${output}.bak`, 'utf8'), 'v1\n');
  });

  test('writes without running commands when commands are off (informant render)', async () => {
    const { output, target, commands } = await setup((log) => ({ validate: recorder(log, 'validate', 1), onChange: recorder(log, 'on_change') }), {
      runCommands: false,
    });
    assert.deepEqual(await target.replace('v1\n', true), { status: 'written' });
    assert.equal(await readFile(output, 'utf8'), 'v1\n');
    assert.equal(await commands(), '');
    assert.equal(target.onChangePending, false);
  });

  test('stops a validate command at the command timeout and keeps the previous output', async () => {
    const { output, clock, target } = await setup({ validate: ['sleep', '30'] });
    await mkdir(join(output, '..'), { recursive: true });
    await writeFile(output, 'old\n');
    const replacing = target.replace('new\n', true);
    await eventually(() => clock.pending >= 1, 'validate is running');
    clock.advance(10_000);
    await eventually(() => clock.pending >= 1, 'the kill timer is armed');
    clock.advance(5_000);
    const result = await replacing;
    assert.equal(result.stage, 'validate');
    assert.match(result.error?.message ?? '', /timed out after 15 s/);
    assert.equal(await readFile(output, 'utf8'), 'old\n');
  });
});
