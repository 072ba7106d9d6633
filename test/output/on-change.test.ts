import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { TemplateConfig } from '../../src/config/types.ts';
import { silentLogger } from '../../src/log.ts';
import { runOnChanges } from '../../src/output/on-change.ts';
import { TemplateOutput } from '../../src/output/template-output.ts';
import { FakeClock } from '../support/fake-clock.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** Three outputs: a and b share a reload command, c has one of its own; each run appends a line to the log. */
async function setup(exitCode = 0) {
  const dir = await mkdtemp(join(tmpdir(), 'informant-on-change-'));
  dirs.push(dir);
  const log = join(dir, 'log');
  const reload = ['sh', '-c', `echo "reload $INFORMANT_TEMPLATES" >> ${log}; exit ${exitCode}`];
  const own = ['sh', '-c', `echo "own $INFORMANT_OUTPUT" >> ${log}`];
  const output = (name: string, onChange: string[]): TemplateOutput => {
    const template: TemplateConfig = { name, output: join(dir, name), mode: 0o644, onChange };
    return new TemplateOutput({ template, clock: new FakeClock(), logger: silentLogger(), runCommands: true, commandTimeoutMs: 10_000, cwd: dir });
  };
  const outputs = [output('a', reload), output('b', reload), output('c', own)];
  for (const o of outputs) await o.write(`${o.template.name}\n`);
  return { dir, outputs, runs: async () => readFile(log, 'utf8').catch(() => '') };
}

describe('on_change of a render cycle', () => {
  test('templates with the same command share one run, after every output is written; others run in config order', async () => {
    const { dir, outputs, runs } = await setup();
    assert.equal(await runs(), '', 'writing runs nothing');
    const errors = await runOnChanges(outputs.map((o) => o.onChange), true, silentLogger());
    assert.equal(errors.size, 0);
    assert.equal(await runs(), `reload a b\nown ${join(dir, 'c')}\n`);
    assert.ok(outputs.every((o) => !o.onChangePending));
  });

  test('a shared command that fails leaves every template it served pending, each with the error', async () => {
    const { outputs, runs } = await setup(3);
    const errors = await runOnChanges(outputs.map((o) => o.onChange), true, silentLogger());
    assert.deepEqual([...errors.keys()], ['a', 'b']);
    assert.match(errors.get('b')?.message ?? '', /^template "b": on_change failed after .* was replaced: .*exited with code 3/);
    assert.deepEqual(outputs.map((o) => o.onChangePending), [true, true, false]);
    assert.equal((await runs()).split('\n').filter((line) => line.startsWith('reload')).length, 1);
  });

  test('a replica that may not run on_change runs nothing and keeps everything owed', async () => {
    const { outputs, runs } = await setup();
    assert.equal((await runOnChanges(outputs.map((o) => o.onChange), false, silentLogger())).size, 0);
    assert.equal(await runs(), '');
    assert.ok(outputs.every((o) => o.onChangePending));
  });
});
