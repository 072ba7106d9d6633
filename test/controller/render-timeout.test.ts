/**
 * render.timeout: a template that runs away (here, only when a Service named "slow"
 * exists) is stopped with a located error, the last good output stays, readiness says
 * why, and the next render of good data succeeds again.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
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

const TEMPLATE =
  '{% for s in resources.services %}{{ s.metadata.name }}\\n' +
  '{% if s.metadata.name == \\"slow\\" %}{% for i in range(0, 100000) %}{% for j in range(0, 100000) %}{% endfor %}{% endfor %}{% endif %}' +
  '{% endfor %}';

describe('render.timeout', () => {
  test('stops a runaway render at the loop, keeps the last good output, and renders again once the data is good', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'informant-timeout-'));
    dirs.push(dir);
    const config = parseConfig(
      `
watched_resources:
  services: {api_version: v1, kind: Service}
source: {files: {path: manifests}}
templates:
  services: {inline: "${TEMPLATE}", output: out/services.txt}
render: {debounce: 100ms, max_wait: 1s, timeout: 200ms}
`,
      join(dir, 'config.yaml'),
    );
    const clock = new FakeClock();
    const source = new ScriptedSource({ services: [service('shop', 'web', 80)] });
    const controller = new Controller({ config, logger: silentLogger(), watch: true, clock, createSource: () => source });
    const output = join(dir, 'out', 'services.txt');
    const cycle = async (): Promise<void> => {
      clock.advance(1_000);
      await controller.idle();
    };
    await controller.start();
    await cycle();
    assert.equal(await readFile(output, 'utf8'), 'web\n');

    source.add('services', service('shop', 'slow', 80));
    await cycle();
    const [outcome] = controller.lastOutcomes;
    assert.equal(outcome?.status, 'failed');
    assert.match(outcome?.error?.message ?? '', /^<inline:services>:2:\d+: the render took longer than render\.timeout \(0\.2 s\) and was stopped here$/);
    assert.equal(await readFile(output, 'utf8'), 'web\n', 'the last good output stays');
    assert.match((readiness(controller.status()).warnings ?? []).join('\n'), /template "services": render failed: .*render\.timeout/);

    source.delete('services', service('shop', 'slow', 80));
    source.add('services', service('shop', 'api', 80));
    await cycle();
    assert.equal(await readFile(output, 'utf8'), 'api\nweb\n');
    await controller.stop();
  });
});
