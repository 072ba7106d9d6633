/**
 * The shared source units of one controller share one connection per connection setting,
 * across reloads; the connection closes with the last unit.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseConfig } from '../../src/config/index.ts';
import { Controller } from '../../src/controller/controller.ts';
import { ETCD_BACKEND_CONFIG } from '../../src/config/index.ts';
import { withConnector, type ConfiguredSharedBackend } from '../../src/controller/shared-backends.ts';
import { NamedRegistry } from '../../src/registry.ts';
import { MemoryRepository } from '../../src/kv/memory/repository.ts';
import { silentLogger } from '../../src/log.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { eventually } from '../support/waiters.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function configText(options: { endpoint?: string; services?: string; extra?: boolean } = {}): string {
  return [
    'watched_resources:',
    `  services: {api_version: v1, kind: Service${options.services ?? ''}}`,
    '  ingresses: {api_version: networking.k8s.io/v1, kind: Ingress}',
    ...(options.extra ? ['  configmaps: {api_version: v1, kind: ConfigMap}'] : []),
    'source:',
    `  shared: {backend: etcd, etcd: {endpoints: ["${options.endpoint ?? 'http://127.0.0.1:1'}"]}}`,
    'templates:',
    '  site: {inline: "{{ resources.services | length }}\\n", output: out/site.txt}',
    '',
  ].join('\n');
}

describe('shared connections of a controller', () => {
  test('its shared source units share one connection; a reload keeps it, a new endpoint opens another, stop closes all', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'informant-shared-connections-'));
    dirs.push(dir);
    const file = join(dir, 'config.yaml');
    const opened: string[] = [];
    const closed: string[] = [];
    const connect = (settings: { endpoints: readonly string[] }) => {
      const endpoint = settings.endpoints[0]!;
      opened.push(endpoint);
      const repository = new MemoryRepository();
      const close = repository.close.bind(repository);
      repository.close = async () => {
        closed.push(endpoint);
        await close();
      };
      return repository;
    };
    const backends = new NamedRegistry<ConfiguredSharedBackend>('shared store backend').register(withConnector(ETCD_BACKEND_CONFIG, { name: 'etcd', connect }));
    const controller = new Controller({ config: parseConfig(configText(), file), logger: silentLogger(), watch: true, clock: new FakeClock(), sharedBackends: backends });
    await controller.start();
    await controller.waitForSync();
    assert.deepEqual(opened, ['http://127.0.0.1:1'], 'two units, one connection');

    await controller.reload(parseConfig(configText({ services: ', namespace: shop', extra: true }), file));
    assert.deepEqual(opened, ['http://127.0.0.1:1'], 'a changed and an added unit use the kept connection');
    assert.deepEqual(closed, []);

    await controller.reload(parseConfig(configText({ endpoint: 'http://127.0.0.1:2' }), file));
    assert.deepEqual(opened, ['http://127.0.0.1:1', 'http://127.0.0.1:2']);
    // A reload resolves once swapped; the replaced units stop right after.
    await eventually(() => closed.length > 0, 'the old connection closed with its last unit');
    assert.deepEqual(closed, ['http://127.0.0.1:1']);

    await controller.stop();
    assert.deepEqual(closed, ['http://127.0.0.1:1', 'http://127.0.0.1:2']);
  });
});
