import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HealthCheck, readiness } from '../../src/controller/health.ts';
import type { ControllerStatus, ResourceState } from '../../src/controller/status.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { watchStats } from './support/scripted-source.ts';

function resource(overrides: Partial<ResourceState> = {}): ResourceState {
  return { resource: 'ingresses', store: 'full', synced: true, size: 1, missingKeys: { total: 0, current: [] }, ...overrides };
}

function status(overrides: Partial<ControllerStatus> = {}): ControllerStatus {
  return {
    configFile: '/c.yaml',
    synced: true,
    renderable: true,
    resources: [resource()],
    templates: [{ template: 'haproxy.cfg', output: '/o', onChangePending: false, last: { status: 'written', at: 0 } }],
    renders: { count: 1, recent: [] },
    runsOnChange: true,
    readiness: 'serving',
    reload: { pending: false },
    ...overrides,
  };
}

const MINUTE = 60_000;

describe('readiness of a publishing replica', () => {
  test('is lost once the publisher has not published for longer than the limit (5 minutes by default)', () => {
    const failing = (failingForMs: number) =>
      status({ publication: { publishing: true, reason: 'failing since 2026-01-01T00:00:00.000Z: etcd is unreachable', failingForMs } });
    assert.equal(readiness(failing(5 * MINUTE)).ready, true);
    assert.deepEqual(readiness(failing(5 * MINUTE + 1_000)), {
      ready: false,
      reasons: ['publisher: not publishing for 301 s: failing since 2026-01-01T00:00:00.000Z: etcd is unreachable'],
      warnings: [],
    });
    assert.equal(readiness(failing(2 * MINUTE), { publishFailureMs: MINUTE }).ready, false);
  });

  test('is kept by followers, by replicas with nothing to publish and by a publisher that publishes', () => {
    assert.equal(readiness(status({ publication: { publishing: false, reason: 'not the leader: the leader publishes' } })).ready, true);
    assert.equal(readiness(status({ publication: { publishing: false, reason: 'nothing to publish' } })).ready, true);
    assert.equal(readiness(status({ publication: { publishing: true } })).ready, true);
    assert.equal(readiness(status()).ready, true);
  });
});

describe('HealthCheck', () => {
  test('reports a watcher whose counters stood still longer than the stall limit', () => {
    const clock = new FakeClock();
    const health = new HealthCheck({ clock, stallMs: 10 * MINUTE });
    const frozen = status({ resources: [resource({ watch: watchStats('ingresses') })] });
    assert.deepEqual(health.check(frozen), { healthy: true, problems: [] });
    clock.advance(10 * MINUTE);
    assert.equal(health.check(frozen).healthy, true, 'exactly at the limit is still fine');
    clock.advance(1);
    assert.deepEqual(health.check(frozen), { healthy: false, problems: ['watcher of "ingresses" has made no progress for 600 s'] });
    const bookmark = watchStats('ingresses', { events: { ADDED: 3, MODIFIED: 2, DELETED: 1, BOOKMARK: 5, ERROR: 0 } });
    assert.equal(health.check(status({ resources: [resource({ watch: bookmark })] })).healthy, true, 'a bookmark is progress');
  });

  test('reports a render cycle that has run longer than the stall limit', () => {
    const clock = new FakeClock();
    const health = new HealthCheck({ clock, stallMs: MINUTE });
    clock.advance(2 * MINUTE);
    const hung = status({ renders: { count: 1, inProgressSince: 0, recent: [] } });
    assert.deepEqual(health.check(hung).problems, ['a render cycle has been running for 120 s']);
  });

  test('never reports sources without watch counters (files) as wedged', () => {
    const clock = new FakeClock();
    const health = new HealthCheck({ clock, stallMs: MINUTE });
    health.check(status());
    clock.advance(10 * MINUTE);
    assert.equal(health.check(status()).healthy, true);
  });
});

describe('readiness', () => {
  test('is ready when synced and every template last succeeded', () => {
    assert.deepEqual(readiness(status()), { ready: true, reasons: [], warnings: [] });
  });

  test('stays ready while a failing template keeps its last good output, and says so', () => {
    const failing = { template: 'crt-list.txt', output: '/o', onChangePending: false, last: { status: 'failed' as const, at: 9, stage: 'render' as const, error: 'x.njk:3:1: boom' } };
    assert.deepEqual(readiness(status({ templates: [{ ...failing, lastOutputAt: 5 }] })), {
      ready: true,
      reasons: [],
      warnings: ['template "crt-list.txt": render failed: x.njk:3:1: boom (its last good output stays in place)'],
    });
    assert.deepEqual(readiness(status({ templates: [failing] })), {
      ready: false,
      reasons: ['template "crt-list.txt": render failed: x.njk:3:1: boom (and it has no good output yet)'],
      warnings: [],
    });
  });

  test('with server.readiness strict, any template whose last cycle failed makes the replica not ready', () => {
    const failing = { template: 't', output: '/o', onChangePending: false, lastOutputAt: 5, last: { status: 'written' as const, at: 9, stage: 'on_change' as const, error: 'exit 1' } };
    assert.deepEqual(readiness(status({ readiness: 'strict', templates: [failing] })).reasons, ['template "t": on_change failed: exit 1']);
    assert.equal(readiness(status({ templates: [failing] })).ready, true);
  });

  test('names unsynced and stuck resources, a missing first render, and failed templates', () => {
    const result = readiness(
      status({
        synced: false,
        resources: [
          resource({ synced: false }),
          resource({ resource: 'gateways', synced: false, stuck: { reason: 'not_found', message: 'api_version gateway.networking.k8s.io/v1 is not served', waitingMs: 61_000 } }),
        ],
        templates: [{ template: 'haproxy.cfg', output: '/o', onChangePending: false, last: { status: 'failed', at: 0, stage: 'validate', error: 'exit 1' } }],
      }),
    );
    assert.deepEqual(result.reasons, [
      'watched resource "ingresses" has not synced yet',
      'watched resource "gateways" has not synced after 61 s: api_version gateway.networking.k8s.io/v1 is not served',
      'template "haproxy.cfg": validate failed: exit 1 (and it has no good output yet)',
    ]);
    assert.deepEqual(readiness(status({ templates: [{ template: 't', output: '/o', onChangePending: false }] })).reasons, ['the first render has not finished yet']);
  });
});
