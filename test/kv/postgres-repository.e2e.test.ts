/**
 * PostgresRepository against a real PostgreSQL (test/support/postgres.ts): the Repository
 * contract, and what only PostgreSQL does: concurrent writers, a trimmed change log, the
 * schema created once and checked on every start, least-privilege roles. Restarts and cut
 * connections are in repository-outages.e2e.test.ts, for every real backend.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isKvError, type Revision } from '../../src/kv/index.ts';
import { connectPostgres, type PostgresRepository } from '../../src/kv/postgres/repository.ts';
import type { PostgresOptions } from '../../src/kv/postgres/options.ts';
import { silentLogger } from '../../src/log.ts';
import { postgresSkipReason, TestPostgres } from '../support/postgres.ts';
import { runRepositoryContract } from './repository-contract.ts';
import { WatchRecorder } from './watch-recorder.ts';

/** Options for `url` and `schema`, looking for missed notifications every 200 ms. */
export function postgresOptions(url: string, schema: string, overrides: Partial<PostgresOptions> = {}): PostgresOptions {
  return { url, schema, connectTimeoutMs: 5_000, maxConnections: 4, pollIntervalMs: 200, history: { maxAgeMs: 3_600_000, maxRevisions: 0 }, ...overrides };
}

describe('PostgresRepository', { skip: postgresSkipReason(), timeout: 120_000 }, () => {
  let pg: TestPostgres;
  before(async () => {
    pg = await TestPostgres.start();
  });
  after(() => pg?.stop());

  const open = (schema: string, url = pg.url, overrides: Partial<PostgresOptions> = {}): PostgresRepository =>
    connectPostgres(postgresOptions(url, schema, overrides), silentLogger());

  let subjects = 0;
  runRepositoryContract('PostgresRepository', async () => {
    const repository = open(`contract_${++subjects}`);
    return { repository, compact: (revision) => repository.compact(revision) };
  });

  describe('concurrent writers', () => {
    test('revisions commit in order: a watch sees every revision exactly once, with no gap, however writers interleave', async () => {
      const writers = [open('concurrent'), open('concurrent'), open('concurrent'), open('concurrent')];
      const reader = open('concurrent');
      try {
        const { revision } = await reader.list('/c/');
        const recorder = new WatchRecorder();
        const watch = await reader.watch('/c/', revision, recorder);
        const perWriter = 50;
        await Promise.all(
          writers.map(async (writer, w) => {
            for (let i = 0; i < perWriter; i++) {
              await writer.commit({ guards: [], operations: [{ type: 'put', key: `/c/w${w}/${i}`, value: String(i) }, { type: 'put', key: `/c/w${w}/last`, value: String(i) }] });
            }
          }),
        );
        await recorder.untilChanges(writers.length * perWriter * 2);
        const revisions = recorder.calls.map((call) => (call[0]!.type === 'put' ? call[0]!.record.modRevision : call[0]!.modRevision));
        const expected = Array.from({ length: revisions.length }, (_, i) => revisions[0]! + BigInt(i));
        assert.deepEqual(revisions, expected, 'one call per transaction, consecutive revisions');
        assert.ok(recorder.calls.every((call) => call.length === 2));
        await watch.close();
      } finally {
        for (const repository of [...writers, reader]) await repository.close();
      }
    });

    test('concurrent strict creates of one key: exactly one wins, the others are AlreadyExists', async () => {
      const writers = [open('concurrent'), open('concurrent'), open('concurrent')];
      try {
        const results = await Promise.allSettled(writers.map((writer, i) => writer.create('/race/key', `writer-${i}`)));
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        assert.ok(results.filter((r) => r.status === 'rejected').every((r) => isKvError((r as PromiseRejectedResult).reason, 'AlreadyExists')));
      } finally {
        for (const repository of writers) await repository.close();
      }
    });
  });

  describe('the change log', () => {
    test('trim keeps the newest revisions by count; a watch from before them is lost as Compacted, one from after them goes on', async () => {
      const repository = open('trim_count', pg.url, { history: { maxAgeMs: 0, maxRevisions: 3 } });
      try {
        let last: Revision = 0n;
        for (let i = 0; i < 6; i++) last = await repository.create(`/t/${i}`, String(i));
        const keepFrom = await repository.trim();
        assert.equal(keepFrom, last - 2n);
        const stale = new WatchRecorder();
        await repository.watch('/t/', keepFrom - 2n, stale);
        await stale.until(() => stale.lost.length > 0, 'onLost');
        assert.equal(stale.lost[0]?.code, 'Compacted');
        const fresh = new WatchRecorder();
        const watch = await repository.watch('/t/', keepFrom - 1n, fresh);
        await fresh.untilChanges(3);
        assert.deepEqual(fresh.described, ['put /t/3=3', 'put /t/4=4', 'put /t/5=5']);
        await watch.close();
      } finally {
        await repository.close();
      }
    });

    test('trim by age removes changes older than the age and keeps younger ones', async () => {
      const repository = open('trim_age', pg.url, { history: { maxAgeMs: 60_000, maxRevisions: 0 } });
      try {
        const old = await repository.create('/a/old', '1');
        await pg.admin(`UPDATE trim_age.changes SET committed_at = now() - interval '2 minutes' WHERE revision = ${old}`);
        const young = await repository.create('/a/young', '1');
        assert.equal(await repository.trim(), old + 1n);
        const recorder = new WatchRecorder();
        const watch = await repository.watch('/a/', old, recorder);
        await recorder.untilChanges(1);
        assert.deepEqual(recorder.described, ['put /a/young=1']);
        assert.equal(recorder.changes[0]?.type === 'put' && recorder.changes[0].record.modRevision, young);
        await watch.close();
      } finally {
        await repository.close();
      }
    });
  });

  describe('the schema', () => {
    test('is created once however many repositories start at the same time, with its version', async () => {
      const repositories = Array.from({ length: 5 }, () => open('fresh'));
      try {
        await Promise.all(repositories.map((repository, i) => repository.create(`/s/${i}`, 'x')));
        const [meta] = await pg.admin<{ schema_version: number; revision: string }>('SELECT schema_version, revision FROM fresh.meta');
        assert.equal(meta?.schema_version, 1);
        assert.equal(meta?.revision, '5');
      } finally {
        for (const repository of repositories) await repository.close();
      }
    });

    test('of a newer release is refused as Invalid, naming both versions', async () => {
      const first = open('newer');
      await first.create('/n/a', '1');
      await first.close();
      await pg.admin('UPDATE newer.meta SET schema_version = 99');
      const repository = open('newer');
      try {
        await assert.rejects(repository.get('/n/a'), (err) => isKvError(err, 'Invalid') && /version 99; this informant reads version 1: upgrade informant/.test(err.message));
      } finally {
        await repository.close();
      }
    });

    test('a role that may not create the tables is told to start a publisher first, until they exist', async () => {
      await pg.admin(`CREATE ROLE early LOGIN PASSWORD 'early'`);
      const early = open('not_yet', pg.urlFor('early', 'early'));
      try {
        await assert.rejects(early.list('/x/'), (err) => isKvError(err, 'Unavailable') && /schema not_yet has no informant tables yet, and this role may not create them .*start a publisher/.test(err.message));
      } finally {
        await early.close();
      }
    });

    test('a role without CREATE reads tables that exist and cannot write: Unavailable, with PostgreSQL\'s reason', async () => {
      const owner = open('granted');
      await owner.create('/g/a', '1');
      await pg.admin(`CREATE ROLE reader LOGIN PASSWORD 'reader'; GRANT USAGE ON SCHEMA granted TO reader; GRANT SELECT ON ALL TABLES IN SCHEMA granted TO reader;`);
      const reader = open('granted', pg.urlFor('reader', 'reader'));
      try {
        assert.equal((await reader.get('/g/a'))?.value, '1');
        const recorder = new WatchRecorder();
        const watch = await reader.watch('/g/', 0n, recorder);
        await owner.create('/g/b', '1');
        await recorder.untilChanges(2);
        await watch.close();
        await assert.rejects(reader.create('/g/c', '1'), (err) => isKvError(err, 'Unavailable') && /permission denied/.test(err.message));
      } finally {
        await reader.close();
        await owner.close();
      }
    });
  });

  test('the least-privilege roles of the README: the publisher creates its tables and writes and trims, the renderer reads and watches, nothing more', async () => {
    await pg.admin(`
      CREATE ROLE informant_publisher LOGIN PASSWORD 'p';
      CREATE ROLE informant_renderer LOGIN PASSWORD 'r';
      CREATE SCHEMA informant AUTHORIZATION informant_publisher;
      GRANT USAGE ON SCHEMA informant TO informant_renderer;
      ALTER DEFAULT PRIVILEGES FOR ROLE informant_publisher IN SCHEMA informant
        GRANT SELECT ON TABLES TO informant_renderer;`);
    const publisher = open('informant', pg.urlFor('informant_publisher', 'p'), { history: { maxAgeMs: 0, maxRevisions: 1 } });
    const renderer = open('informant', pg.urlFor('informant_renderer', 'r'));
    try {
      const first = await publisher.create('/lp/a', '1');
      const recorder = new WatchRecorder();
      const watch = await renderer.watch('/lp/', first, recorder);
      await publisher.commit({ guards: [{ key: '/lp/a', modRevision: first }], operations: [{ type: 'put', key: '/lp/b', value: '1' }] });
      await recorder.untilChanges(1);
      assert.equal(await publisher.trim(), first + 1n);
      assert.deepEqual((await renderer.list('/lp/')).records.map((r) => r.key), ['/lp/a', '/lp/b']);
      await assert.rejects(renderer.update('/lp/a', '2'), (err) => isKvError(err, 'Unavailable') && /permission denied/.test(err.message));
      await watch.close();
    } finally {
      await renderer.close();
      await publisher.close();
    }
  });
});
