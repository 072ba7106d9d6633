import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/index.ts';
import { Controller } from '../../src/controller/controller.ts';
import type { KubeObject } from '../../src/k8s.ts';
import { silentLogger } from '../../src/log.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { FakeSource } from '../support/fake-source.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function service(namespace: string, name: string, port: number, rv = '1'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace, name, uid: `uid-${namespace}-${name}`, resourceVersion: rv },
    spec: { ports: [{ port }] },
  };
}

const TEMPLATE = `{% for s in resources.services %}
{{ s.metadata.namespace }}/{{ s.metadata.name }}:{{ s.spec.ports[0].port }}
{% endfor %}
{% if resources.services.GetSingle('shop', 'broken') %}{{ resources.services.GetSingle('shop', 'broken').spec.missing.field }}{% endif %}
`;

/** Lets promise callbacks (render, write) run; fs work needs real I/O turns. */
async function settle(controller: Controller): Promise<void> {
  for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
  await controller.idle();
}

async function setup(initial: KubeObject[], options: { holdSync?: string[] } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'informant-controller-'));
  dirs.push(dir);
  await writeFile(join(dir, 'services.njk'), TEMPLATE);
  const yaml = `
watched_resources:
  services:
    api_version: v1
    kind: Service
source:
  files: {path: manifests}
templates:
  services:
    path: services.njk
    output: out/services.txt
render:
  debounce: 100ms
  max_wait: 1s
`;
  const config = parseConfig(yaml, join(dir, 'config.yaml'));
  const clock = new FakeClock();
  const source = new FakeSource({ services: initial }, options);
  const controller = new Controller({
    config,
    logger: silentLogger(),
    watch: true,
    clock,
    createSource: () => source,
  });
  const output = join(dir, 'out', 'services.txt');
  return { controller, clock, source, output };
}

describe('Controller', () => {
  test('renders once every resource has synced, after the quiet period', async () => {
    const { controller, clock, source, output } = await setup([service('shop', 'web', 80)], {
      holdSync: ['services'],
    });
    await controller.start();
    clock.advance(1000);
    await settle(controller);
    await assert.rejects(readFile(output), /ENOENT/, 'nothing is rendered before sync');
    source.sync('services');
    await controller.waitForSync();
    clock.advance(100);
    await settle(controller);
    assert.equal(await readFile(output, 'utf8'), 'shop/web:80\n');
    await controller.stop();
  });

  test('re-renders after a change and writes the new output', async () => {
    const { controller, clock, source, output } = await setup([service('shop', 'web', 80)]);
    await controller.start();
    clock.advance(100);
    await settle(controller);
    source.add('services', service('blog', 'api', 8080));
    clock.advance(100);
    await settle(controller);
    assert.equal(await readFile(output, 'utf8'), 'blog/api:8080\nshop/web:80\n');
    await controller.stop();
  });

  test('keeps the last good output byte-identical when a render fails, and recovers', async () => {
    const { controller, clock, source, output } = await setup([service('shop', 'web', 80)]);
    await controller.start();
    clock.advance(100);
    await settle(controller);
    const good = await readFile(output);
    source.add('services', service('shop', 'broken', 1));
    clock.advance(100);
    await settle(controller);
    assert.deepEqual(await readFile(output), good);
    const [outcome] = controller.lastOutcomes;
    assert.equal(outcome?.status, 'failed');
    assert.match(outcome?.error?.message ?? '', /services\.njk:4/);
    source.delete('services', service('shop', 'broken', 1));
    clock.advance(100);
    await settle(controller);
    assert.equal(controller.lastOutcomes[0]?.status, 'unchanged', 'back to the last good content');
    assert.deepEqual(await readFile(output), good);
    await controller.stop();
  });

  test('does not rewrite an output whose content is unchanged', async () => {
    const { controller, clock, source, output } = await setup([service('shop', 'web', 80)]);
    await controller.start();
    clock.advance(100);
    await settle(controller);
    const before = await stat(output);
    source.update('services', { ...service('shop', 'web', 80, '2'), metadata: { ...service('shop', 'web', 80).metadata, resourceVersion: '2', labels: { a: 'b' } } });
    clock.advance(100);
    await settle(controller);
    assert.equal(controller.lastOutcomes[0]?.status, 'unchanged');
    assert.equal((await stat(output)).ino, before.ino, 'the file was not replaced');
    await controller.stop();
  });

  test('skips rendering when no store changed', async () => {
    const { controller, clock, source } = await setup([service('shop', 'web', 80)]);
    await controller.start();
    clock.advance(100);
    await settle(controller);
    const renders = controller.renderCount;
    source.delete('services', service('shop', 'absent', 80)); // changes nothing
    clock.advance(1000);
    await settle(controller);
    assert.equal(controller.renderCount, renders);
    await controller.stop();
  });

  test('coalesces changes that arrive during a render into exactly one more render', async () => {
    const { controller, clock, source, output } = await setup([service('shop', 'web', 80)]);
    await controller.start();
    clock.advance(100);
    await settle(controller);
    const renders = controller.renderCount;
    source.add('services', service('a', 'one', 1));
    clock.advance(100); // a render starts and is in progress
    source.add('services', service('a', 'two', 2));
    clock.advance(100);
    source.add('services', service('a', 'three', 3));
    clock.advance(100);
    await settle(controller);
    assert.equal(controller.renderCount, renders + 2);
    assert.equal(await readFile(output, 'utf8'), 'a/one:1\na/three:3\na/two:2\nshop/web:80\n');
    await controller.stop();
  });
});
