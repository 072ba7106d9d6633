import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Discovery } from '../../../src/watcher/kubernetes/discovery.ts';
import { Reflector } from '../../../src/watcher/kubernetes/reflector.ts';
import { resolveTuning } from '../../../src/watcher/kubernetes/tuning.ts';
import { silentLogger } from '../../../src/log.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { advance, watched } from './support/drive.ts';
import { FakeApiClient, discoveryReply } from './support/fake-client.ts';
import { RecordingSink } from './support/recording-sink.ts';
import { seededRandom } from '../../support/apiserver/random.ts';

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
