/**
 * The memory backend chosen in config: a publishing Daemon and a renderer Controller in one
 * process, sharing the controller's shared-store backends, meet in the same in-process
 * repository; the renderer renders what the publisher's files source holds.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/index.ts';
import { Controller } from '../../src/controller/controller.ts';
import { createSharedBackends } from '../../src/controller/shared-backends.ts';
import { Daemon } from '../../src/daemon/daemon.ts';
import { silentLogger } from '../../src/log.ts';
import { eventually } from '../support/waiters.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

test('a publisher and a renderer of one process meet in the memory backend named in their configs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'informant-memory-backend-'));
  dirs.push(dir);
  await writeFile(join(dir, 'services.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {namespace: shop, name: web}\nspec: {ports: [{port: 80}]}\n');
  const publisherText = [
    'watched_resources:',
    '  services: {api_version: v1, kind: Service, store: published}',
    'source:',
    '  files: {path: services.yaml, watch: false}',
    'publish: {backend: memory, cluster: east, memory: {name: shop}}',
  ].join('\n');
  const rendererText = [
    'watched_resources:',
    '  services: {api_version: v1, kind: Service}',
    'source:',
    '  shared: {backend: memory, memory: {name: shop}}',
    'templates:',
    '  list: {inline: "{% for s in resources.services %}{{ s.metadata.cluster }} {{ s.metadata.name }}{% endfor %}", output: out/list.txt}',
    'render: {debounce: 10ms, max_wait: 50ms}',
  ].join('\n');
  const sharedBackends = createSharedBackends();
  const publisherConfig = parseConfig(publisherText, join(dir, 'publisher.yaml'));
  const publisher = new Daemon({
    config: publisherConfig,
    logger: silentLogger(),
    loadConfig: async () => publisherConfig,
    watchConfig: false,
    processMetrics: false,
    sharedBackends,
  });
  const renderer = new Controller({ config: parseConfig(rendererText, join(dir, 'renderer.yaml')), logger: silentLogger(), watch: true, sharedBackends });
  try {
    await publisher.start();
    await eventually(() => publisher.publisherState()?.phase === 'publishing', 'publishing');
    await renderer.start();
    await renderer.waitForSync();
    const output = join(dir, 'out', 'list.txt');
    await eventually(async () => (await readFile(output, 'utf8').catch(() => '')) === 'east web', 'the renderer rendered the published Service');
    assert.equal(await readFile(output, 'utf8'), 'east web');
  } finally {
    await renderer.stop();
    await publisher.stop();
  }
});
