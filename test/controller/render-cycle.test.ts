import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/index.ts';
import { Controller } from '../../src/controller/controller.ts';
import { readiness } from '../../src/controller/health.ts';
import type { KubeObject } from '../../src/k8s.ts';
import { silentLogger } from '../../src/log.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { ScriptedSource, service } from './support/scripted-source.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const TEMPLATE = '{% for s in resources.services %}{{ s.metadata.name }}:{{ s.spec.ports[0].port }}\n{% endfor %}';

interface Setup {
  /** Extra YAML under the template (validate, on_change...). */
  template?: string;
  /** Extra top-level YAML (leader_election...). */
  extra?: string;
  initial?: KubeObject[];
}

/**
 * A controller over one `services` resource fed by a ScriptedSource, rendering into a
 * temporary folder. Commands log into `commands.log` there; `reload-ok` and `valid` are
 * flag files the test scripts check.
 */
async function setup(options: Setup = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'informant-cycle-'));
  dirs.push(dir);
  const yaml = `
watched_resources:
  services: {api_version: v1, kind: Service}
source:
  files: {path: manifests}
templates:
  services:
    inline: "${TEMPLATE.replaceAll('\n', '\\n')}"
    output: out/services.txt
${options.template ?? ''}
render:
  debounce: 100ms
  max_wait: 1s
${options.extra ?? ''}
`;
  const config = parseConfig(yaml, join(dir, 'config.yaml'));
  const clock = new FakeClock();
  const source = new ScriptedSource({ services: options.initial ?? [service('shop', 'web', 80)] });
  const controller = new Controller({ config, logger: silentLogger(), watch: true, clock, createSource: () => source });
  const output = join(dir, 'out', 'services.txt');
  const commands = async (): Promise<string[]> => (await readFile(join(dir, 'commands.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
  /** Lets the debounce fire and waits for the render cycle (commands included) to finish. */
  const cycle = async (ms = 100): Promise<void> => {
    clock.advance(ms);
    await controller.idle();
  };
  return { dir, config, clock, source, controller, output, commands, cycle };
}

const LOG = (label: string) => `["sh", "-c", "echo ${label} >> commands.log"]`;
const VALIDATE_IF_FLAG = `["sh", "-c", "echo validate >> commands.log; [ -f valid ] || { echo 'config invalid' >&2; exit 1; }"]`;
const RELOAD_IF_FLAG = `["sh", "-c", "echo on_change >> commands.log; [ -f reload-ok ] || { echo 'proxy down' >&2; exit 2; }"]`;

describe('render cycle with commands', () => {
  test('a failing validate keeps the old output byte-identical, shows in readiness and recovers', async () => {
    const t = await setup({ template: `    validate: ${VALIDATE_IF_FLAG}\n    on_change: ${LOG('on_change')}` });
    await writeFile(join(t.dir, 'valid'), '');
    await t.controller.start();
    await t.cycle();
    assert.equal(await readFile(t.output, 'utf8'), 'web:80\n');
    assert.deepEqual(readiness(t.controller.status()), { ready: true, reasons: [], warnings: [] });
    const good = await readFile(t.output);
    const inode = (await stat(t.output)).ino;

    await rm(join(t.dir, 'valid'));
    t.source.add('services', service('shop', 'api', 8080));
    await t.cycle();
    assert.deepEqual(await readFile(t.output), good);
    assert.equal((await stat(t.output)).ino, inode);
    const [outcome] = t.controller.lastOutcomes;
    assert.equal(outcome?.status, 'failed');
    assert.equal(outcome?.stage, 'validate');
    const ready = readiness(t.controller.status());
    assert.equal(ready.ready, true, 'the last good output stays in place: the replica stays ready');
    assert.match(ready.warnings[0] ?? '', /^template "services": validate failed: .*config invalid.*\(its last good output stays in place\)$/);
    const strict = readiness({ ...t.controller.status(), readiness: 'strict' });
    assert.equal(strict.ready, false);
    assert.match(strict.reasons[0] ?? '', /^template "services": validate failed: .*config invalid/);
    assert.deepEqual(await t.commands(), ['validate', 'on_change', 'validate'], 'no on_change after the rejected one');
    assert.equal(t.controller.outputContent('services')?.rejected, 'api:8080\nweb:80\n');

    await writeFile(join(t.dir, 'valid'), '');
    t.source.add('services', service('shop', 'db', 5432));
    await t.cycle();
    assert.equal(await readFile(t.output, 'utf8'), 'api:8080\ndb:5432\nweb:80\n');
    assert.equal(readiness(t.controller.status()).ready, true);
    await t.controller.stop();
  });

  test('a change that leaves the output the same writes nothing and runs nothing', async () => {
    const t = await setup({ template: `    validate: ${LOG('validate')}\n    on_change: ${LOG('on_change')}` });
    await t.controller.start();
    await t.cycle();
    const ran = await t.commands();
    const before = await stat(t.output);
    const web = service('shop', 'web', 80, '2');
    t.source.update('services', { ...web, metadata: { ...web.metadata, labels: { team: 'a' } } });
    await t.cycle();
    assert.equal(t.controller.lastOutcomes[0]?.status, 'unchanged');
    assert.deepEqual(await t.commands(), ran);
    assert.deepEqual(ran, ['validate', 'on_change']);
    assert.equal((await stat(t.output)).mtimeMs, before.mtimeMs);
    await t.controller.stop();
  });

  test('changes during a render with commands coalesce into exactly one more render', async () => {
    const t = await setup({ template: `    on_change: ${LOG('on_change')}` });
    await t.controller.start();
    await t.cycle();
    const renders = t.controller.renderCount;
    t.source.add('services', service('a', 'one', 1));
    t.clock.advance(100); // a cycle starts and runs on_change (a real process)
    t.source.add('services', service('a', 'two', 2));
    t.clock.advance(100);
    t.source.add('services', service('a', 'three', 3));
    t.clock.advance(100);
    await t.controller.idle();
    assert.equal(t.controller.renderCount, renders + 2);
    assert.equal(await readFile(t.output, 'utf8'), 'one:1\nthree:3\ntwo:2\nweb:80\n');
    assert.deepEqual(await t.commands(), ['on_change', 'on_change', 'on_change']);
    await t.controller.stop();
  });

  test('a failing on_change is reported, retried with backoff, and clears once it succeeds', async () => {
    const t = await setup({ template: `    on_change: ${RELOAD_IF_FLAG}` });
    await t.controller.start();
    await t.cycle();
    const [outcome] = t.controller.lastOutcomes;
    assert.equal(outcome?.status, 'written');
    assert.equal(outcome?.stage, 'on_change');
    assert.match(outcome?.error?.message ?? '', /on_change failed after .* was replaced: .*exited with code 2: proxy down/);
    const status = t.controller.status();
    assert.equal(status.templates[0]?.onChangePending, true);
    assert.match(readiness(status).warnings.join('\n'), /template "services": on_change failed/);
    assert.match(readiness({ ...status, readiness: 'strict' }).reasons.join('\n'), /template "services": on_change failed/);

    await t.cycle(1000); // first retry after 1 s: still failing
    assert.deepEqual(await t.commands(), ['on_change', 'on_change']);
    await t.cycle(1000); // the next retry waits 2 s
    assert.deepEqual(await t.commands(), ['on_change', 'on_change']);
    await writeFile(join(t.dir, 'reload-ok'), '');
    await t.cycle(1000);
    assert.deepEqual(await t.commands(), ['on_change', 'on_change', 'on_change']);
    assert.equal(t.controller.status().templates[0]?.onChangePending, false);
    assert.equal(readiness(t.controller.status()).ready, true);
    await t.cycle(60_000);
    assert.equal((await t.commands()).length, 3, 'no more retries once it succeeded');
    await t.controller.stop();
  });

  test('with leader election only the leader runs on_change; becoming leader runs what was left pending', async () => {
    const t = await setup({ template: `    on_change: ${LOG('on_change')}`, extra: 'leader_election: {enabled: true}' });
    await t.controller.start();
    await t.cycle();
    assert.equal(await readFile(t.output, 'utf8'), 'web:80\n', 'followers render and write too');
    assert.deepEqual(await t.commands(), []);
    assert.equal(t.controller.status().templates[0]?.onChangePending, true);
    assert.equal(readiness(t.controller.status()).ready, true, 'a follower is ready');

    t.controller.setLeader(true);
    await t.controller.idle();
    assert.deepEqual(await t.commands(), ['on_change']);
    t.source.add('services', service('shop', 'api', 81));
    await t.cycle();
    assert.deepEqual(await t.commands(), ['on_change', 'on_change']);

    t.controller.setLeader(false);
    t.source.add('services', service('shop', 'db', 82));
    await t.cycle();
    assert.deepEqual(await t.commands(), ['on_change', 'on_change']);
    await t.controller.stop();
  });

  test('on_change_only_leader: false runs on_change on every replica', async () => {
    const t = await setup({ template: `    on_change: ${LOG('on_change')}`, extra: 'leader_election: {enabled: true, on_change_only_leader: false}' });
    await t.controller.start();
    await t.cycle();
    assert.deepEqual(await t.commands(), ['on_change']);
    await t.controller.stop();
  });
});

describe('per-template debounce, max_wait and command_timeout', () => {
  /** Two templates over the same stores; `slow` sets its own timing. */
  const slowTemplate = (timing: string) => `  slow:
    inline: "${TEMPLATE.replaceAll('\n', '\\n')}"
    output: out/slow.txt
${timing}`;

  test('a template with its own debounce renders after its own quiet period, the others after render.debounce', async () => {
    const t = await setup({ template: slowTemplate('    debounce: 1s\n    max_wait: 5s') });
    const slow = join(t.dir, 'out', 'slow.txt');
    await t.controller.start();
    await t.cycle(100);
    assert.equal(await readFile(t.output, 'utf8'), 'web:80\n');
    assert.equal(await readFile(slow, 'utf8').catch(() => undefined), undefined, 'slow waits for its own quiet period');
    await t.cycle(900);
    assert.equal(await readFile(slow, 'utf8'), 'web:80\n');

    t.source.add('services', service('shop', 'api', 8080));
    await t.cycle(100);
    assert.equal(await readFile(t.output, 'utf8'), 'api:8080\nweb:80\n');
    assert.equal(await readFile(slow, 'utf8'), 'web:80\n');
    assert.deepEqual(t.controller.lastOutcomes.map((o) => o.template), ['services'], 'only the due template rendered');
    await t.cycle(900);
    assert.equal(await readFile(slow, 'utf8'), 'api:8080\nweb:80\n');
    await t.controller.stop();
  });

  test("a template's max_wait renders it under churn that never goes quiet for its debounce", async () => {
    const t = await setup({ template: slowTemplate('    debounce: 1s\n    max_wait: 2s') });
    const slow = join(t.dir, 'out', 'slow.txt');
    await t.controller.start();
    await t.cycle(2000);
    for (let port = 1; port <= 3; port++) {
      t.source.add('services', service('shop', `s${port}`, port));
      await t.cycle(500);
    }
    assert.equal(await readFile(slow, 'utf8'), 'web:80\n', 'never quiet for 1 s: not rendered yet');
    await t.cycle(500);
    assert.equal(await readFile(slow, 'utf8'), 's1:1\ns2:2\ns3:3\nweb:80\n', 'rendered at its max_wait, 2 s after the burst began');
    await t.controller.stop();
  });

  test("a template's command_timeout stops its own commands", async () => {
    const t = await setup({ template: '    on_change: ["sleep", "30"]\n    command_timeout: 1s' });
    await t.controller.start();
    const cycle = t.cycle(100);
    await new Promise((resolve) => setTimeout(resolve, 200));
    t.clock.advance(1000);
    await cycle;
    const [outcome] = t.controller.lastOutcomes;
    assert.equal(outcome?.stage, 'on_change');
    assert.match(outcome?.error?.message ?? '', /timed out after 1 s/);
    await t.controller.stop();
  });
});
