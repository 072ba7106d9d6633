import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, type Config } from '../../src/config/index.ts';
import { encodeClaim } from '../../src/publish/claim.ts';
import { Publication } from '../../src/publish/publication.ts';
import { KeyLayout } from '../../src/kv/layout.ts';
import { buildStore, createDefaultRegistry } from '../../src/controller/registry.ts';
import { MemoryRepository } from '../../src/kv/memory/repository.ts';
import { silentLogger } from '../../src/log.ts';
import type { Store } from '../../src/store/index.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { FlakyRepository } from './support/flaky-repository.ts';
import { eventually } from '../support/waiters.ts';

function config(options: { cluster?: string; election?: boolean; publish?: boolean } = {}): Config {
  const lines = ['watched_resources:', `  services: {api_version: v1, kind: Service, store: ${options.publish === false ? 'full' : 'published'}}`];
  if (options.publish !== false) lines.push('publish:', `  {backend: memory, cluster: ${options.cluster ?? 'east'}}`);
  if (options.election) lines.push('leader_election: {enabled: true}');
  return parseConfig(lines.join('\n'), '/srv/config.yaml');
}

function storesOf(c: Config): Map<string, Store> {
  const registry = createDefaultRegistry();
  return new Map(c.watchedResources.map((r) => [r.name, buildStore(registry, r)]));
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

/** A publication over one FlakyRepository the test can take down, on a clock it advances. */
function controlled(repository = new MemoryRepository()) {
  const flaky = new FlakyRepository(repository);
  const clock = new FakeClock();
  const built = new Publication({
    identity: 'replica-a',
    connect: () => flaky,
    waitForSync: () => Promise.resolve(),
    startedAtMs: 1_700_000_000_000,
    clock,
    random: () => 0.5,
    logger: silentLogger(),
  });
  return { publication: built, flaky, clock };
}

describe('Publication status', () => {
  test('says when there is nothing to publish and when a follower leaves publishing to the leader', async () => {
    const { publication: p } = controlled();
    assert.deepEqual(p.status(), { publishing: false, reason: 'nothing to publish (no publish with a store: published resource)' });
    const c = config({ election: true });
    await p.apply(c, storesOf(c));
    assert.deepEqual(p.status(), { publishing: false, reason: 'not the leader: the leader publishes' });
    await p.stop();
  });

  test('reports failing since the first failure with the error, and clears it once a write succeeds', async () => {
    const { publication: p, flaky, clock } = controlled();
    flaky.down = true;
    clock.advance(1_000);
    const c = config();
    await p.apply(c, storesOf(c));
    await eventually(() => p.status().failingForMs !== undefined, 'failing');
    clock.advance(90_000);
    const failing = p.status();
    assert.equal(failing.publishing, true);
    assert.equal(failing.failingForMs, 90_000);
    assert.match(failing.reason ?? '', /^failing since 1970-01-01T00:00:01\.000Z: etcd is unreachable \(get\)$/);
    flaky.down = false;
    clock.advance(60_000);
    await eventually(() => p.status().publisher?.phase === 'publishing', 'publishing');
    assert.equal(p.status().reason, undefined);
    assert.equal(p.status().failingForMs, undefined);
    await p.stop();
  });

  test('a leader deposed by a newer claim is not publishing, names the other, and counts how long', async () => {
    const repository = new MemoryRepository();
    await repository.create(new KeyLayout('informant').publisherKey('east'), encodeClaim({ identity: 'replica-b', epoch: 9n }));
    const { publication: p, clock } = controlled(repository);
    const c = config({ election: true });
    await p.apply(c, storesOf(c));
    await p.setLeading(true, 3);
    await eventually(() => p.status().publisher?.phase === 'deposed', 'deposed');
    clock.advance(10_000);
    const deposed = p.status();
    assert.equal(deposed.publishing, false);
    assert.equal(deposed.failingForMs, 10_000);
    assert.match(deposed.reason ?? '', /^deposed since .*: publisher "replica-b" \(epoch 9\) holds .* with a newer claim$/);
    await p.stop();
  });
});

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
