import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, type Config } from '../../src/config/index.ts';
import { Publication } from '../../src/controller/publication.ts';
import { createDefaultRegistry } from '../../src/controller/registry.ts';
import { MemoryRepository } from '../../src/kv/memory-repository.ts';
import { silentLogger } from '../../src/log.ts';
import type { Store } from '../../src/store/index.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { FlakyRepository } from './support/flaky-repository.ts';
import { eventually } from './support/publishing.ts';

function config(options: { cluster?: string; election?: boolean; publish?: boolean } = {}): Config {
  const lines = ['watched_resources:', `  services: {api_version: v1, kind: Service, store: ${options.publish === false ? 'full' : 'etcd'}}`];
  if (options.publish !== false) lines.push('publish:', `  etcd: {endpoints: ["http://127.0.0.1:1"], cluster: ${options.cluster ?? 'east'}}`);
  if (options.election) lines.push('leader_election: {enabled: true}');
  return parseConfig(lines.join('\n'), '/srv/config.yaml');
}

function storesOf(c: Config): Map<string, Store> {
  const registry = createDefaultRegistry();
  return new Map(c.watchedResources.map((r) => [r.name, registry.build(r)]));
}

function publication(repository = new MemoryRepository()): { publication: Publication; connects: string[] } {
  const connects: string[] = [];
  const built = new Publication({
    identity: 'replica-a',
    connect: (c) => {
      connects.push(c.cluster);
      return new FlakyRepository(repository);
    },
    waitForSync: () => Promise.resolve(),
    startedAtMs: 1_700_000_000_000,
    clock: new FakeClock(),
    logger: silentLogger(),
  });
  return { publication: built, connects };
}

describe('Publication', () => {
  test('without leader election it publishes at once, with the start time as its epoch', async () => {
    const { publication: p } = publication();
    const c = config();
    await p.apply(c, storesOf(c));
    await eventually(() => p.state()?.phase === 'publishing', 'publishing');
    assert.equal(p.state()?.epoch, '1700000000000');
    await p.stop();
    assert.equal(p.state(), undefined);
  });

  test('a reload that keeps what is published keeps the publisher; one that changes it replaces the publisher', async () => {
    const { publication: p, connects } = publication();
    const c = config();
    const stores = storesOf(c);
    await p.apply(c, stores);
    await eventually(() => p.state()?.phase === 'publishing', 'publishing');
    await p.apply(config(), stores);
    assert.deepEqual(connects, ['east']);
    const moved = config({ cluster: 'west' });
    await p.apply(moved, stores);
    await eventually(() => p.state()?.cluster === 'west' && p.state()?.phase === 'publishing', 'publishing as west');
    assert.deepEqual(connects, ['east', 'west']);
    await p.apply(config({ publish: false }), stores);
    assert.equal(p.state(), undefined);
    await p.stop();
  });

  test('with leader election it publishes only while leading, with the Lease transitions as its epoch', async () => {
    const { publication: p } = publication();
    const c = config({ election: true });
    await p.apply(c, storesOf(c));
    assert.equal(p.state(), undefined, 'a follower does not publish');
    await p.setLeading(true, 7);
    await eventually(() => p.state()?.phase === 'publishing', 'publishing');
    assert.equal(p.state()?.epoch, '7');
    await p.setLeading(false, 7);
    assert.equal(p.state(), undefined);
    await p.stop();
  });
});
