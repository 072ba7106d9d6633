/**
 * The Repository contract: one suite every Repository implementation runs (the memory
 * reference and etcd alike), through the public interface only.
 *
 * Usage, in an implementation's test file:
 *   runRepositoryContract('MemoryRepository', async () => { const r = new MemoryRepository(); return { repository: r, compact: async (rev) => r.compact(rev) }; });
 *
 * Every test works under a prefix of its own, so implementations may share one server.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isKvError,
  KV_MAX_OPERATIONS,
  type KvOperation,
  type Repository,
  type Revision,
} from '../../src/kv/index.ts';
import { WatchRecorder } from './watch-recorder.ts';

/** One repository under test, and how to compact its history. */
export interface ContractSubject {
  readonly repository: Repository;
  /** Forgets the history before `revision`, as an operator's compaction would. */
  compact(revision: Revision): Promise<void>;
}

/** Builds a fresh subject for one test (it may share its engine with other tests). */
export type MakeSubject = () => Promise<ContractSubject>;

let prefixes = 0;

/** Runs `body` with a fresh subject and a prefix of its own; closes the repository afterwards. */
async function withSubject(make: MakeSubject, body: (subject: ContractSubject, prefix: string) => Promise<void>): Promise<void> {
  const subject = await make();
  try {
    await body(subject, `/contract/${++prefixes}/`);
  } finally {
    await subject.repository.close();
  }
}

/** Runs every Repository guarantee against subjects built by `make`. */
export function runRepositoryContract(name: string, make: MakeSubject): void {
  describe(`${name} (Repository contract)`, () => {
    strictOperations(make);
    batches(make);
    listing(make);
    watching(make);
    closing(make);
  });
}

function strictOperations(make: MakeSubject): void {
  test('create writes a new key and resolves to the revision get reports for it', () =>
    withSubject(make, async ({ repository }, p) => {
      const revision = await repository.create(`${p}a`, 'one');
      const record = await repository.get(`${p}a`);
      assert.deepEqual(record, { key: `${p}a`, value: 'one', modRevision: revision, createRevision: revision });
      assert.equal(await repository.get(`${p}missing`), undefined);
    }));

  test('create of an existing key is AlreadyExists and leaves the value alone', () =>
    withSubject(make, async ({ repository }, p) => {
      await repository.create(`${p}a`, 'one');
      await assert.rejects(repository.create(`${p}a`, 'two'), (err) => isKvError(err, 'AlreadyExists') && err.key === `${p}a`);
      assert.equal((await repository.get(`${p}a`))?.value, 'one');
    }));

  test('update of a missing key is NotFound, at a stale revision Conflict, and otherwise moves the mod revision', () =>
    withSubject(make, async ({ repository }, p) => {
      await assert.rejects(repository.update(`${p}a`, 'x'), (err) => isKvError(err, 'NotFound'));
      await assert.rejects(repository.update(`${p}a`, 'x', { expectedRevision: 5n }), (err) => isKvError(err, 'NotFound'));
      const created = await repository.create(`${p}a`, 'one');
      const updated = await repository.update(`${p}a`, 'two', { expectedRevision: created });
      assert.ok(updated > created);
      await assert.rejects(repository.update(`${p}a`, 'three', { expectedRevision: created }), (err) => isKvError(err, 'Conflict'));
      const unconditional = await repository.update(`${p}a`, 'four');
      assert.deepEqual(await repository.get(`${p}a`), { key: `${p}a`, value: 'four', modRevision: unconditional, createRevision: created });
    }));

  test('delete of a missing key is NotFound, at a stale revision Conflict, and otherwise removes the key', () =>
    withSubject(make, async ({ repository }, p) => {
      await assert.rejects(repository.delete(`${p}a`), (err) => isKvError(err, 'NotFound'));
      const created = await repository.create(`${p}a`, 'one');
      await repository.update(`${p}a`, 'two');
      await assert.rejects(repository.delete(`${p}a`, { expectedRevision: created }), (err) => isKvError(err, 'Conflict'));
      assert.equal((await repository.get(`${p}a`))?.value, 'two');
      await repository.delete(`${p}a`);
      assert.equal(await repository.get(`${p}a`), undefined);
    }));

  test('a key created again after a delete starts a new create revision', () =>
    withSubject(make, async ({ repository }, p) => {
      const first = await repository.create(`${p}a`, 'one');
      await repository.delete(`${p}a`);
      const second = await repository.create(`${p}a`, 'two');
      assert.ok(second > first);
      assert.equal((await repository.get(`${p}a`))?.createRevision, second);
    }));
}


function batches(make: MakeSubject): void {
  test('a write above the 1.5 MiB request limit is refused as Invalid, naming the key, and writes nothing', () =>
    withSubject(make, async ({ repository }, p) => {
      const big = 'x'.repeat(1_600_000);
      const half = 'y'.repeat(900_000);
      const invalid = (key?: string) => (err: unknown) => isKvError(err, 'Invalid') && err.key === key;
      await assert.rejects(repository.create(`${p}big`, big), invalid(`${p}big`));
      await repository.create(`${p}small`, 'one');
      await assert.rejects(repository.update(`${p}small`, big), invalid(`${p}small`));
      await assert.rejects(repository.commit({ guards: [], operations: [{ type: 'put', key: `${p}big`, value: big }] }), invalid(`${p}big`));
      const pair: KvOperation[] = [
        { type: 'put', key: `${p}h1`, value: half },
        { type: 'put', key: `${p}h2`, value: half },
      ];
      await assert.rejects(repository.commit({ guards: [], operations: pair }), invalid(undefined));
      const listing = await repository.list(p);
      assert.deepEqual(listing.records.map((r) => [r.key, r.value]), [[`${p}small`, 'one']]);
    }));

  test('a batch whose guard fails is Conflict and writes nothing', () =>
    withSubject(make, async ({ repository }, p) => {
      const a = await repository.create(`${p}a`, 'one');
      await repository.update(`${p}a`, 'two');
      const batch = {
        guards: [{ key: `${p}a`, modRevision: a }],
        operations: [
          { type: 'put', key: `${p}b`, value: 'new' },
          { type: 'delete', key: `${p}a` },
        ] satisfies KvOperation[],
      };
      await assert.rejects(repository.commit(batch), (err) => isKvError(err, 'Conflict') && err.key === `${p}a`);
      assert.deepEqual((await repository.list(p)).records.map((r) => `${r.key}=${r.value}`), [`${p}a=two`]);
    }));

  test('a batch applies every operation at one revision when its guards hold', () =>
    withSubject(make, async ({ repository }, p) => {
      const a = await repository.create(`${p}a`, 'one');
      await repository.create(`${p}c`, 'gone soon');
      const revision = await repository.commit({
        guards: [{ key: `${p}a`, modRevision: a }, { key: `${p}c`, value: 'gone soon' }],
        operations: [
          { type: 'put', key: `${p}a`, value: 'two' },
          { type: 'put', key: `${p}b`, value: 'new' },
          { type: 'delete', key: `${p}c` },
        ],
      });
      const { records } = await repository.list(p);
      assert.deepEqual(records.map((r) => [r.key, r.value, r.modRevision]), [
        [`${p}a`, 'two', revision],
        [`${p}b`, 'new', revision],
      ]);
    }));

  test('a guard on mod revision 0 holds only while the key does not exist', () =>
    withSubject(make, async ({ repository }, p) => {
      const absent = { guards: [{ key: `${p}lock`, modRevision: 0n }], operations: [{ type: 'put' as const, key: `${p}lock`, value: 'me' }] };
      await repository.commit(absent);
      await assert.rejects(repository.commit(absent), (err) => isKvError(err, 'Conflict'));
      assert.equal((await repository.get(`${p}lock`))?.value, 'me');
    }));

  test('a guard on a value fails on another value and on a missing key', () =>
    withSubject(make, async ({ repository }, p) => {
      await repository.create(`${p}a`, 'one');
      const write = [{ type: 'put' as const, key: `${p}b`, value: 'x' }];
      await assert.rejects(repository.commit({ guards: [{ key: `${p}a`, value: 'other' }], operations: write }), (err) => isKvError(err, 'Conflict'));
      await assert.rejects(repository.commit({ guards: [{ key: `${p}none`, value: '' }], operations: write }), (err) => isKvError(err, 'Conflict'));
      assert.equal(await repository.get(`${p}b`), undefined);
      await repository.commit({ guards: [{ key: `${p}a`, value: 'one' }], operations: write });
      assert.equal((await repository.get(`${p}b`))?.value, 'x');
    }));

  test(`a batch of ${KV_MAX_OPERATIONS} operations commits and one more is Invalid`, () =>
    withSubject(make, async ({ repository }, p) => {
      const puts = (n: number): KvOperation[] => Array.from({ length: n }, (_, i) => ({ type: 'put', key: `${p}${i}`, value: `${i}` }));
      await repository.commit({ guards: [], operations: puts(KV_MAX_OPERATIONS) });
      assert.equal((await repository.list(p)).records.length, KV_MAX_OPERATIONS);
      const tooMany = puts(KV_MAX_OPERATIONS + 1).map((op) => ({ ...op, key: `${op.key}-more` }));
      await assert.rejects(repository.commit({ guards: [], operations: tooMany }), (err) => isKvError(err, 'Invalid'));
      assert.equal((await repository.list(p)).records.length, KV_MAX_OPERATIONS);
    }));

  test('a batch that writes one key twice is Invalid', () =>
    withSubject(make, async ({ repository }, p) => {
      const operations: KvOperation[] = [
        { type: 'put', key: `${p}a`, value: '1' },
        { type: 'delete', key: `${p}a` },
      ];
      await assert.rejects(repository.commit({ guards: [], operations }), (err) => isKvError(err, 'Invalid'));
    }));
}

function listing(make: MakeSubject): void {
  test('list returns the records under a prefix in byte order, read at the revision of the last write', () =>
    withSubject(make, async ({ repository }, p) => {
      let last = 0n;
      for (const name of ['b', 'a/2', 'c', 'a/10', 'B', 'a']) last = await repository.create(`${p}${name}`, name);
      const { records, revision } = await repository.list(p);
      assert.deepEqual(records.map((r) => r.key.slice(p.length)), ['B', 'a', 'a/10', 'a/2', 'b', 'c']);
      assert.ok(revision >= last);
    }));

  test('a prefix does not see keys that merely start with the same characters', () =>
    withSubject(make, async ({ repository }, p) => {
      await repository.create(`${p}a/x`, '1');
      await repository.create(`${p}ab/y`, '2');
      await repository.create(`${p}a`, '3');
      assert.deepEqual((await repository.list(`${p}a/`)).records.map((r) => r.key), [`${p}a/x`]);
      const recorder = new WatchRecorder();
      const watch = await repository.watch(`${p}a/`, 0n, recorder);
      await repository.create(`${p}ab/z`, '4');
      await repository.create(`${p}a/w`, '5');
      await recorder.untilChanges(2);
      assert.deepEqual(recorder.described, [`put ${p}a/x=1`, `put ${p}a/w=5`]);
      await watch.close();
    }));

  test('list of an empty prefix range is empty and still reports a revision', () =>
    withSubject(make, async ({ repository }, p) => {
      const written = await repository.create(`${p}elsewhere/a`, '1');
      const { records, revision } = await repository.list(`${p}nothing/`);
      assert.deepEqual(records, []);
      assert.ok(revision >= written);
    }));
}

function watching(make: MakeSubject): void {
  test('a watch from a revision replays exactly the later changes, in order, then follows new ones', () =>
    withSubject(make, async ({ repository }, p) => {
      const from = await repository.create(`${p}a`, '1');
      await repository.create(`${p}b`, '1');
      await repository.update(`${p}a`, '2');
      await repository.delete(`${p}b`);
      const recorder = new WatchRecorder();
      const watch = await repository.watch(p, from, recorder);
      await recorder.untilChanges(3);
      await repository.create(`${p}c`, '1');
      await recorder.untilChanges(4);
      assert.deepEqual(recorder.described, [`put ${p}b=1`, `put ${p}a=2`, `delete ${p}b`, `put ${p}c=1`]);
      const revisions = recorder.changes.map((c) => (c.type === 'put' ? c.record.modRevision : c.modRevision));
      assert.deepEqual(revisions, [...revisions].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
      assert.ok(revisions.every((r) => r > from));
      await watch.close();
    }));

  test('a watch from a listing sees every change after it and none before', () =>
    withSubject(make, async ({ repository }, p) => {
      await repository.create(`${p}a`, '1');
      const { revision } = await repository.list(p);
      const recorder = new WatchRecorder();
      const watch = await repository.watch(p, revision, recorder);
      await repository.update(`${p}a`, '2');
      await recorder.untilChanges(1);
      assert.deepEqual(recorder.described, [`put ${p}a=2`]);
      await watch.close();
    }));

  test("a transaction's changes arrive in one call", () =>
    withSubject(make, async ({ repository }, p) => {
      await repository.create(`${p}gone`, '0');
      const { revision } = await repository.list(p);
      const recorder = new WatchRecorder();
      const watch = await repository.watch(p, revision, recorder);
      await repository.commit({
        guards: [],
        operations: [
          { type: 'put', key: `${p}a`, value: '1' },
          { type: 'put', key: `${p}b`, value: '1' },
          { type: 'delete', key: `${p}gone` },
        ],
      });
      await recorder.untilChanges(3);
      assert.equal(recorder.calls.length, 1);
      assert.deepEqual(recorder.described, [`put ${p}a=1`, `put ${p}b=1`, `delete ${p}gone`]);
      await watch.close();
    }));

  test('a watch from a compacted revision is lost as Compacted, and a relist and watch from it sees everything', () =>
    withSubject(make, async ({ repository, compact }, p) => {
      const first = await repository.create(`${p}a`, '1');
      await repository.update(`${p}a`, '2');
      await repository.create(`${p}b`, '1');
      const latest = await repository.update(`${p}a`, '3');
      await compact(latest);
      const stale = new WatchRecorder();
      await repository.watch(p, first, stale);
      await stale.until(() => stale.lost.length > 0, 'onLost');
      assert.equal(stale.lost[0]?.code, 'Compacted');
      assert.deepEqual(stale.changes, []);
      const listing = await repository.list(p);
      assert.deepEqual(listing.records.map((r) => `${r.key}=${r.value}`), [`${p}a=3`, `${p}b=1`]);
      const fresh = new WatchRecorder();
      const watch = await repository.watch(p, listing.revision, fresh);
      await repository.delete(`${p}b`);
      await fresh.untilChanges(1);
      assert.deepEqual(fresh.described, [`delete ${p}b`]);
      assert.deepEqual(fresh.lost, []);
      await watch.close();
    }));
}

function closing(make: MakeSubject): void {
  test('a closed watch calls no handler while another watch of the prefix goes on', () =>
    withSubject(make, async ({ repository }, p) => {
      const { revision } = await repository.list(p);
      const closed = new WatchRecorder();
      const open = new WatchRecorder();
      const closing = await repository.watch(p, revision, closed);
      const staying = await repository.watch(p, revision, open);
      await closing.close();
      await repository.create(`${p}a`, '1');
      await open.untilChanges(1);
      assert.deepEqual(closed.calls, []);
      assert.deepEqual(closed.lost, []);
      await staying.close();
    }));

  test('closing the repository stops its watches and rejects later calls as Unavailable', async () => {
    const { repository } = await make();
    const p = `/contract/${++prefixes}/`;
    const recorder = new WatchRecorder();
    await repository.watch(p, 0n, recorder);
    await repository.close();
    await assert.rejects(repository.get(`${p}a`), (err) => isKvError(err, 'Unavailable'));
    await assert.rejects(repository.create(`${p}a`, '1'), (err) => isKvError(err, 'Unavailable'));
    assert.deepEqual(recorder.calls, []);
    assert.deepEqual(recorder.lost, []);
  });
}
