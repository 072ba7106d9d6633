import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withIsoTimes } from '../../src/server/timestamps.ts';

describe('withIsoTimes', () => {
  test('turns at, …At and …Since fields into ISO 8601 at any depth, and leaves the rest alone', () => {
    const ms = Date.UTC(2026, 11, 6, 19, 30, 5, 120);
    const status = {
      renders: { count: 3, inProgressSince: ms },
      templates: [{ template: 'a', last: { status: 'written', at: ms }, lastOutputAt: ms, checksum: 'abc' }],
      publisher: { publisher: { lastSuccessAt: ms, failingSince: undefined, errors: 2 }, failingForMs: 5_000 },
      watch: { lastEventAt: ms, Attempt: 4, format: 'json' },
      problem: { message: 'forbidden', at: new Date(ms) },
    };
    const iso = '2026-12-06T19:30:05.120Z';
    assert.deepEqual(withIsoTimes(status), {
      renders: { count: 3, inProgressSince: iso },
      templates: [{ template: 'a', last: { status: 'written', at: iso }, lastOutputAt: iso, checksum: 'abc' }],
      publisher: { publisher: { lastSuccessAt: iso, failingSince: undefined, errors: 2 }, failingForMs: 5_000 },
      watch: { lastEventAt: iso, Attempt: 4, format: 'json' },
      problem: { message: 'forbidden', at: iso },
    });
    assert.equal(status.renders.inProgressSince, ms, 'the snapshot itself is not changed');
  });
});
