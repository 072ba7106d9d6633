/**
 * The publisher across config reloads and shutdown in the Daemon (files source, a memory
 * repository): a reload that changes publish replaces the publisher, one that drops it
 * stops publishing, and stop() ends publishing.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.ts';
import { Daemon } from '../../src/daemon/daemon.ts';
import { KeyLayout } from '../../src/kv/layout.ts';
import { MemoryRepository } from '../../src/kv/memory/repository.ts';
import { silentLogger } from '../../src/log.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { FlakyRepository } from './support/flaky-repository.ts';
import { contents } from './support/publishing.ts';
import { eventually } from '../support/waiters.ts';

const layout = new KeyLayout('informant');
const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function configYaml(publish: string | undefined): string {
  return [
    'watched_resources:',
    `  services: {api_version: v1, kind: Service, store: ${publish === undefined ? 'full' : 'published'}}`,
    'source:',
    '  files: {path: services.yaml, watch: false}',
    ...(publish === undefined ? [] : ['publish:', `  {backend: memory, cluster: ${publish}}`]),
    'logging: {level: silent}',
  ].join('\n');
}

describe('publishing across reloads', () => {
  test('a reload that changes the cluster replaces the publisher, one without publish stops it, and so does stop()', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'informant-publish-reload-'));
    dirs.push(dir);
    await writeFile(join(dir, 'services.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {namespace: shop, name: web}\n');
    const file = join(dir, 'config.yaml');
    await writeFile(file, configYaml('east'));
    const repository = new MemoryRepository();
    const clusters: string[] = [];
    const load = () => loadConfig(file);
    const daemon = new Daemon({
      config: await load(),
      logger: silentLogger(),
      loadConfig: load,
      clock: new FakeClock(),
      watchConfig: false,
      processMetrics: false,
      startedAtMs: 1_000,
      connectRepository: (config) => {
        clusters.push(config.cluster);
        return new FlakyRepository(repository);
      },
    });
    await daemon.start();
    const published = (cluster: string) => contents(repository, layout.clusterPrefix('', 'services', cluster));
    await eventually(async () => (await published('east')).size === 1, 'published as east');

    await writeFile(file, configYaml('west'));
    assert.equal(await daemon.reload('test'), true);
    await eventually(async () => (await published('west')).size === 1, 'published as west');
    assert.deepEqual(clusters, ['east', 'west']);
    assert.equal(daemon.publisherState()?.cluster, 'west');

    await writeFile(file, configYaml(undefined));
    assert.equal(await daemon.reload('test'), true);
    assert.equal(daemon.publisherState(), undefined);

    await writeFile(file, configYaml('west'));
    assert.equal(await daemon.reload('test'), true);
    await eventually(() => daemon.publisherState()?.phase === 'publishing', 'publishing again');
    await daemon.stop();
    assert.equal(daemon.publisherState(), undefined);
  });
});
