import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/index.ts';
import { Controller } from '../../src/controller/controller.ts';
import { readiness } from '../../src/controller/health.ts';
import { silentLogger } from '../../src/log.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { ScriptedSource, service } from './support/scripted-source.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/**
 * A controller rendering one file per Service (`out/services/<name>.txt`) and a list of
 * them (`out/list.txt`), both with the same on_change, which logs a line.
 */
async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'informant-per-object-cycle-'));
  dirs.push(dir);
  const reload = `["sh", "-c", "echo \\"reload $INFORMANT_TEMPLATES\\" >> commands.log"]`;
  const yaml = `
watched_resources:
  services: {api_version: v1, kind: Service}
source:
  files: {path: manifests}
vars:
  scheme: http
templates:
  services:
    inline: "{{ vars.scheme }}://{{ object.metadata.name }}:{{ object.spec.ports[0].port }}\\n"
    output: "out/services/{{ object.metadata.namespace }}_{{ object.metadata.name }}.txt"
    for_each: services
    on_change: ${reload}
  list:
    inline: "{% for s in resources.services %}services/{{ s.metadata.namespace }}_{{ s.metadata.name }}.txt\\n{% endfor %}"
    output: out/list.txt
    on_change: ${reload}
render:
  debounce: 100ms
  max_wait: 1s
`;
  const config = parseConfig(yaml, join(dir, 'config.yaml'));
  const clock = new FakeClock();
  const source = new ScriptedSource({ services: [service('shop', 'web', 80), service('shop', 'api', 8080)] });
  const controller = new Controller({ config, logger: silentLogger(), watch: true, clock, createSource: () => source });
  const commands = async (): Promise<string[]> => (await readFile(join(dir, 'commands.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
  const files = async (): Promise<string[]> => (await readdir(join(dir, 'out', 'services'))).sort();
  const cycle = async (): Promise<void> => {
    clock.advance(100);
    await controller.idle();
  };
  return { dir, source, controller, commands, files, cycle };
}

describe('a render cycle with a for_each template', () => {
  test('writes a file per object and runs the on_change both templates share once, after both are written', async () => {
    const t = await setup();
    await t.controller.start();
    await t.cycle();
    assert.deepEqual(await t.files(), ['.informant-services.manifest', 'shop_api.txt', 'shop_web.txt']);
    assert.equal(await readFile(join(t.dir, 'out', 'services', 'shop_web.txt'), 'utf8'), 'http://web:80\n');
    assert.deepEqual(await t.commands(), ['reload services list']);
    const state = t.controller.status().templates.find((s) => s.template === 'services');
    assert.equal(state?.files, 2);
    assert.equal(state?.output, join(t.dir, 'out', 'services/{{ object.metadata.namespace }}_{{ object.metadata.name }}.txt'));
    assert.deepEqual(readiness(t.controller.status()), { ready: true, reasons: [], warnings: [] });
    await t.controller.stop();
  });

  test('an object that goes away has its file removed, and a change of one object rewrites only its file', async () => {
    const t = await setup();
    await t.controller.start();
    await t.cycle();
    t.source.delete('services', service('shop', 'api', 8080));
    t.source.update('services', service('shop', 'web', 81, '2'));
    await t.cycle();
    assert.deepEqual(await t.files(), ['.informant-services.manifest', 'shop_web.txt']);
    assert.equal(await readFile(join(t.dir, 'out', 'services', 'shop_web.txt'), 'utf8'), 'http://web:81\n');
    const [services] = t.controller.lastOutcomes;
    assert.deepEqual(services?.files, { written: ['shop_web.txt'], removed: ['shop_api.txt'], unchanged: 0, failed: [] });
    assert.deepEqual(await t.commands(), ['reload services list', 'reload services list']);
    await t.controller.stop();
  });

  test('render --out DIR keeps the outputs\' places relative to each other, and runs no command', async () => {
    const t = await setup();
    const out = join(t.dir, 'elsewhere');
    await t.controller.start();
    await t.controller.waitForSync();
    const outcomes = await t.controller.renderAll({ kind: 'directory', dir: out });
    assert.deepEqual(outcomes.map((o) => [o.template, o.output, o.status]), [
      ['services', join(out, 'services'), 'written'],
      ['list', join(out, 'list.txt'), 'written'],
    ]);
    assert.deepEqual((await readdir(join(out, 'services'))).sort(), ['.informant-services.manifest', 'shop_api.txt', 'shop_web.txt']);
    assert.deepEqual(await t.commands(), []);
    await t.controller.stop();
  });
});
