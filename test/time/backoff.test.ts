import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, jittered } from '../../src/time/backoff.ts';
import { Discovery } from '../../src/watcher/kubernetes/discovery.ts';
import { Reflector } from '../../src/watcher/kubernetes/reflector.ts';
import { resolveTuning } from '../../src/watcher/kubernetes/tuning.ts';
import { silentLogger } from '../../src/log.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { advance, watched } from '../watcher/kubernetes/support/drive.ts';
import { FakeApiClient, discoveryReply } from '../watcher/kubernetes/support/fake-client.ts';
import { RecordingSink } from '../watcher/kubernetes/support/recording-sink.ts';
import { seededRandom } from '../support/apiserver/random.ts';

const SETTINGS = { initialMs: 800, capMs: 30_000, resetAfterMs: 120_000 };

describe('Backoff', () => {
  test('double the delay ceiling from 0.8 s per consecutive failure up to the 30 s cap', () => {
    const clock = new FakeClock();
    const backoff = new Backoff(SETTINGS, clock, () => 0.999999);
    const delays = Array.from({ length: 8 }, () => backoff.next());
    assert.deepEqual(delays, [799, 1599, 3199, 6399, 12799, 25599, 29999, 29999]);
  });

  test('pick each delay uniformly below the ceiling (full jitter)', () => {
    const clock = new FakeClock();
    const backoff = new Backoff(SETTINGS, clock, () => 0.5);
    assert.deepEqual([backoff.next(), backoff.next(), backoff.next()], [400, 800, 1600]);
    const zero = new Backoff(SETTINGS, clock, () => 0);
    assert.equal(zero.next(), 0);
  });

  test('start again from the initial ceiling after a failure-free period of resetAfterMs', () => {
    const clock = new FakeClock();
    const backoff = new Backoff(SETTINGS, clock, () => 0.999999);
    for (let i = 0; i < 6; i++) backoff.next();
    clock.advance(119_999);
    assert.equal(backoff.next(), 29999, 'still backing off just before the reset period');
    clock.advance(120_000);
    assert.equal(backoff.next(), 799);
    assert.equal(backoff.attempt, 1);
  });

  test('forget every failure on reset()', () => {
    const backoff = new Backoff(SETTINGS, new FakeClock(), () => 0.999999);
    backoff.next();
    backoff.next();
    backoff.reset();
    assert.equal(backoff.ceiling(), 800);
  });

  test('stretch a slow retry by at most the jitter fraction', () => {
    assert.equal(jittered(30_000, 0.2, () => 0), 30_000);
    assert.equal(jittered(30_000, 0.2, () => 0.5), 33_000);
    assert.ok(jittered(30_000, 0.2, () => 0.999999) < 36_000);
  });
});

describe('Reflector backoff against a failing server', () => {
  const failures: Array<[string, (path: string) => ReturnType<typeof discoveryReply>]> = [
    ['refuses connections', () => ({ error: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) })],
    ['answers 500 to every list', (path) => discoveryReply(path) ?? { status: 500, json: { kind: 'Status', code: 500, reason: 'InternalError' } }],
    ['closes every watch at once without an event', (path) => discoveryReply(path) ?? { json: { kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '5' }, items: [] } }],
  ];
  for (const [what, reply] of failures) {
    test(`keep the request rate bounded when the server ${what}, and keep retrying`, async () => {
      for (const seed of [1, 2, 3]) {
        const clock = new FakeClock();
        const client = new FakeApiClient((path, query) => (query.get('watch') === 'true' && what.includes('watch') ? { chunks: [] } : reply(path)!));
        const reflector = new Reflector({
          resource: watched({ name: 'configmaps' }), sink: new RecordingSink(), client, discovery: new Discovery(),
          logger: silentLogger(), clock, random: seededRandom(seed), tuning: resolveTuning(), streamingList: false,
        });
        reflector.start();
        await advance(clock, 10 * 60_000, 200);
        const count = client.requests.length;
        await reflector.stop();
        // 10 minutes at a 30 s cap with full jitter averages ~45 attempts; a hot loop would make thousands.
        assert.ok(count <= 90, `seed ${seed}: ${count} requests in 10 minutes`);
        assert.ok(count >= 20, `seed ${seed}: only ${count} requests: the reflector stopped retrying`);
        assert.equal(clock.pending, 0, 'no timer left after stop');
      }
    });
  }
});
