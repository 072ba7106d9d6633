/**
 * The Repository over PostgreSQL, through the `postgres` npm client (pure JavaScript,
 * LISTEN/NOTIFY built in), with the strict semantics of the etcd one. The tables are in
 * schema.ts; each write is one transaction:
 *
 *   lock the meta row (FOR UPDATE) → read the rows of the keys it guards and writes →
 *   check the guards (AlreadyExists, NotFound, Conflict: nothing is written) → write the
 *   records, append the changes to the log, set the meta row's revision to the next one,
 *   NOTIFY → commit.
 *
 * The meta row's lock serializes writers, so revisions commit in the order of their numbers:
 * a reader that sees revision n committed sees every revision below n too, and a watch that
 * read the log up to n never misses a lower revision that commits later (with a plain
 * sequence, concurrent transactions could commit out of order). Publishers commit a few
 * transactions a second at most, so this one lock costs nothing measurable (see
 * docs/BENCHMARKS.md for the throughput).
 *
 * Lists read the records and the meta row's revision in one statement (one snapshot);
 * watches are PostgresWatch over the change log, woken through ChangeFeed. A repository
 * that writes trims the log every `trimIntervalMs` by the age and count of `history`.
 */
import postgres from 'postgres';
import type { Logger } from '../../log.ts';
import { systemClock, type Clock } from '../../time/clock.ts';
import { Timers } from '../../time/timers.ts';
import { validateBatch, validateKey, validateRequestSize } from '../batch.ts';
import {
  KV_MAX_REQUEST_BYTES,
  KvError,
  type KvBatch,
  type KvChange,
  type KvGuard,
  type KvListing,
  type KvOperation,
  type KvRecord,
  type KvWatch,
  type KvWatchHandlers,
  type Repository,
  type Revision,
} from '../types.ts';
import { toKvError } from './errors.ts';
import { ChangeFeed } from './feed.ts';
import { postgresClientOptions, redactedUrl, type PostgresClient, type PostgresOptions } from './options.ts';
import { ensureSchema, keyRange, tablesOf, type Tables } from './schema.ts';
import { PostgresWatch, type LogPage } from './watch.ts';

/** Adapter defaults. */
export const POSTGRES_REPOSITORY_DEFAULTS = Object.freeze({
  /** Changes one read of the log returns at most (a transaction has at most 128). */
  logPageSize: 1_000,
  /** How often a writing repository trims the change log, in ms. */
  trimIntervalMs: 60_000,
  /** Retry delays of watches and of LISTEN, first and longest, in ms (jittered). */
  watchBackoffInitialMs: 250,
  watchBackoffMaxMs: 5_000,
});

/** Side effects a PostgresRepository takes from its caller. */
export interface PostgresRepositoryOptions {
  readonly logger: Logger;
  /** Timers of watches, retries and trimming. Default: the system clock. */
  readonly clock?: Clock;
}

/** A current row, as a write reads it before checking its guards. */
type Current = ReadonlyMap<string, KvRecord>;

/** A row of the log, as PostgreSQL returns it. */
interface LogRow {
  head: string;
  compacted: string;
  revision: string | null;
  key: string | null;
  value: string | null;
  create_revision: string | null;
}

/** A Repository backed by one PostgreSQL database; see the module comment. */
export class PostgresRepository implements Repository {
  readonly #sql: PostgresClient;
  readonly #tables: Tables;
  readonly #options: PostgresOptions;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #feed: ChangeFeed;
  readonly #watches = new Set<PostgresWatch>();
  #ready: Promise<void> | undefined;
  #trimming = false;
  #closed = false;

  /** Opens the pool lazily (the first call connects); throws Invalid for an unreadable file or a bad schema name. */
  constructor(options: PostgresOptions, repositoryOptions: PostgresRepositoryOptions) {
    this.#options = options;
    this.#tables = tablesOf(options.schema);
    this.#log = repositoryOptions.logger;
    this.#clock = repositoryOptions.clock ?? systemClock;
    this.#timers = new Timers(this.#clock);
    const client = postgresClientOptions(options, (message) => this.#log.debug({ notice: message }, 'PostgreSQL notice'));
    this.#sql = postgres(options.url, client);
    this.#feed = new ChangeFeed({
      url: options.url,
      client,
      channel: this.#tables.channel,
      clock: this.#clock,
      logger: this.#log,
      pollIntervalMs: options.pollIntervalMs,
      backoff: { initialMs: POSTGRES_REPOSITORY_DEFAULTS.watchBackoffInitialMs, capMs: POSTGRES_REPOSITORY_DEFAULTS.watchBackoffMaxMs },
    });
  }

  async get(key: string): Promise<KvRecord | undefined> {
    validateKey(key);
    return this.#call('get', key, async (sql) => {
      const [row] = await sql`SELECT key, value, create_revision, mod_revision FROM ${sql(this.#tables.records)} WHERE key = ${key}`;
      return row ? recordOf(row) : undefined;
    });
  }

  async list(prefix: string): Promise<KvListing> {
    const { lower, upper } = keyRange(prefix);
    return this.#call('list', prefix, async (sql) => {
      const rows = await sql`
        SELECT m.revision AS head, r.key, r.value, r.create_revision, r.mod_revision
        FROM ${sql(this.#tables.meta)} m
        LEFT JOIN ${sql(this.#tables.records)} r ON r.key >= ${lower} ${upper === undefined ? sql`` : sql`AND r.key < ${upper}`}
        WHERE m.id = 1 ORDER BY r.key`;
      const records = rows.filter((row) => row['key'] !== null).map(recordOf);
      return Object.freeze({ records: Object.freeze(records), revision: BigInt(rows[0]?.['head'] ?? 0) });
    });
  }

  async create(key: string, value: string): Promise<Revision> {
    validateKey(key);
    return this.#write('create', [{ type: 'put', key, value }], [], (current) => {
      if (current.has(key)) throw new KvError('AlreadyExists', `key ${key} already exists`, { key });
    });
  }

  async update(key: string, value: string, options: { expectedRevision?: Revision } = {}): Promise<Revision> {
    validateKey(key);
    return this.#write('update', [{ type: 'put', key, value }], [], (current) => assertExpected(current, key, options.expectedRevision));
  }

  async delete(key: string, options: { expectedRevision?: Revision } = {}): Promise<void> {
    validateKey(key);
    await this.#write('delete', [{ type: 'delete', key }], [], (current) => assertExpected(current, key, options.expectedRevision));
  }

  async commit(batch: KvBatch): Promise<Revision> {
    validateBatch(batch);
    return this.#write('commit', batch.operations, batch.guards, (current) => {
      const failed = batch.guards.find((guard) => !holds(guard, current.get(guard.key)));
      if (failed) throw new KvError('Conflict', `guard on ${failed.key} does not hold`, { key: failed.key });
    });
  }

  async watch(prefix: string, afterRevision: Revision, handlers: KvWatchHandlers): Promise<KvWatch> {
    this.#assertOpen('watch');
    await this.#call('watch', prefix, async () => undefined);
    const watch = await PostgresWatch.open(prefix, afterRevision, handlers, {
      read: (after) => this.#readLog(prefix, after),
      feed: this.#feed,
      clock: this.#clock,
      logger: this.#log,
      backoff: { initialMs: POSTGRES_REPOSITORY_DEFAULTS.watchBackoffInitialMs, capMs: POSTGRES_REPOSITORY_DEFAULTS.watchBackoffMaxMs },
    });
    this.#watches.add(watch);
    return {
      close: async () => {
        this.#watches.delete(watch);
        await watch.close();
      },
    };
  }

  /**
   * Trims the change log before `revision` (kept: `revision` and later), as an operator's
   * compaction would: a watch from an older position is lost as Compacted. Invalid past
   * the head revision + 1.
   */
  async compact(revision: Revision): Promise<void> {
    await this.#call('compact', undefined, async (sql) => {
      const [meta] = await sql`SELECT revision FROM ${sql(this.#tables.meta)} WHERE id = 1`;
      const head = BigInt(meta?.['revision'] ?? 0);
      if (revision > head + 1n) throw new KvError('Invalid', `cannot compact at ${revision}: the repository is at ${head}`);
      await this.#trimBefore(sql, revision);
    });
  }

  /** Trims the change log by the age and count of `history`; resolves to the first revision kept. */
  async trim(): Promise<Revision> {
    const { maxAgeMs, maxRevisions } = this.#options.history;
    return this.#call('trim', undefined, async (sql) => {
      const [row] = await sql`
        SELECT revision AS head, compacted,
          (SELECT max(revision) FROM ${sql(this.#tables.changes)} WHERE committed_at < now() - make_interval(secs => ${maxAgeMs / 1000})) AS aged
        FROM ${sql(this.#tables.meta)} WHERE id = 1`;
      const head = BigInt(row?.['head'] ?? 0);
      let keepFrom = BigInt(row?.['compacted'] ?? 0);
      if (maxRevisions > 0 && head - BigInt(maxRevisions) + 1n > keepFrom) keepFrom = head - BigInt(maxRevisions) + 1n;
      if (maxAgeMs > 0 && row?.['aged'] !== null && BigInt(row?.['aged'] ?? 0) + 1n > keepFrom) keepFrom = BigInt(row?.['aged'] ?? 0) + 1n;
      await this.#trimBefore(sql, keepFrom);
      return keepFrom;
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#timers.cancelAll();
    await Promise.all([...this.#watches].map((watch) => watch.close()));
    this.#watches.clear();
    await this.#feed.close();
    await this.#sql.end({ timeout: 5 }).catch(() => undefined);
  }

  /** Moves the compaction mark first (watches older than it are lost from then on), then deletes the old changes. */
  async #trimBefore(sql: PostgresClient, keepFrom: Revision): Promise<void> {
    const [moved] = await sql`
      UPDATE ${sql(this.#tables.meta)} SET compacted = ${String(keepFrom)} WHERE id = 1 AND compacted < ${String(keepFrom)} RETURNING compacted`;
    if (!moved) return;
    await sql`DELETE FROM ${sql(this.#tables.changes)} WHERE revision < ${String(keepFrom)}`;
    this.#log.debug({ keepFrom: String(keepFrom) }, 'trimmed the change log');
  }

  /** One write transaction (see the module comment); `check` throws to refuse it. */
  async #write(what: string, operations: readonly KvOperation[], guards: readonly KvGuard[], check: (current: Current) => void): Promise<Revision> {
    validateRequestSize(operations, guards, KV_MAX_REQUEST_BYTES);
    const key = operations.length === 1 ? operations[0]!.key : undefined;
    const keys = [...new Set([...operations.map((op) => op.key), ...guards.map((guard) => guard.key)])];
    const revision = await this.#call(what, key, (sql) =>
      sql.begin(async (tx) => {
        const [[meta], rows] = await Promise.all([
          tx`SELECT revision FROM ${tx(this.#tables.meta)} WHERE id = 1 FOR UPDATE`,
          tx`SELECT key, value, create_revision, mod_revision FROM ${tx(this.#tables.records)} WHERE key IN (SELECT jsonb_array_elements_text(${tx.json(keys)}))`,
        ]);
        const current: Current = new Map(rows.map((row) => [String(row['key']), recordOf(row)]));
        check(current);
        const head = BigInt(meta?.['revision'] ?? 0);
        const changes = changesOf(operations, current, head + 1n);
        if (changes.length === 0) return head;
        await this.#apply(tx as unknown as PostgresClient, head + 1n, changes);
        return head + 1n;
      }),
    );
    this.#startTrimming();
    return revision as Revision;
  }

  /**
   * Writes the records, the log, the head revision and the notification of one
   * transaction, in one statement. The changes travel as one JSON parameter (position,
   * key, value or null for a delete, create revision), so no array types are needed.
   */
  async #apply(tx: PostgresClient, revision: Revision, changes: readonly KvChange[]): Promise<void> {
    const rows = changes.map((change, position) =>
      change.type === 'put'
        ? { p: position, k: change.record.key, v: change.record.value, c: String(change.record.createRevision) }
        : { p: position, k: change.key, v: null, c: null },
    );
    const rev = String(revision);
    const t = this.#tables;
    await tx`
      WITH input AS (
        SELECT * FROM jsonb_to_recordset(${tx.json(rows)}) AS t(p integer, k text, v text, c bigint)
      ), put AS (
        INSERT INTO ${tx(t.records)} (key, value, create_revision, mod_revision)
        SELECT k, v, c, ${rev}::bigint FROM input WHERE v IS NOT NULL
        ON CONFLICT (key) DO UPDATE SET value = excluded.value, mod_revision = excluded.mod_revision
      ), del AS (
        DELETE FROM ${tx(t.records)} WHERE key IN (SELECT k FROM input WHERE v IS NULL)
      ), log AS (
        INSERT INTO ${tx(t.changes)} (revision, position, key, value, create_revision)
        SELECT ${rev}::bigint, p, k, v, c FROM input
      ), head AS (
        UPDATE ${tx(t.meta)} SET revision = ${rev}::bigint WHERE id = 1
      )
      SELECT pg_notify(${t.channel}, ${rev})`;
  }

  /** The log of `prefix` after `after`, with the head and compaction revisions of the same snapshot. */
  async #readLog(prefix: string, after: Revision): Promise<LogPage> {
    const { lower, upper } = keyRange(prefix);
    const limit = POSTGRES_REPOSITORY_DEFAULTS.logPageSize;
    return this.#call('watch', prefix, async (sql) => {
      const rows = (await sql`
        SELECT m.revision AS head, m.compacted, c.revision, c.key, c.value, c.create_revision
        FROM ${sql(this.#tables.meta)} m LEFT JOIN LATERAL (
          SELECT revision, position, key, value, create_revision FROM ${sql(this.#tables.changes)}
          WHERE revision > ${String(after)}::bigint AND key >= ${lower} ${upper === undefined ? sql`` : sql`AND key < ${upper}`}
          ORDER BY revision, position LIMIT ${limit}
        ) c ON true
        WHERE m.id = 1 ORDER BY c.revision, c.position`) as unknown as LogRow[];
      const first = rows[0];
      const changes = rows.filter((row) => row.revision !== null).map((row) => ({ revision: BigInt(row.revision!), change: changeOf(row) }));
      return { head: BigInt(first?.head ?? 0), compacted: BigInt(first?.compacted ?? 0), changes, truncated: changes.length >= limit };
    });
  }

  /** Runs `fn` once the tables exist, mapping every failure onto a KvError. */
  async #call<T>(what: string, key: string | undefined, fn: (sql: PostgresClient) => Promise<T>): Promise<T> {
    this.#assertOpen(what);
    try {
      this.#ready ??= ensureSchema(this.#sql, this.#tables).catch((err: unknown) => {
        this.#ready = undefined;
        throw err;
      });
      await this.#ready;
      return await fn(this.#sql);
    } catch (err) {
      if (this.#closed) throw new KvError('Unavailable', `PostgreSQL ${what}: the repository is closed`, { cause: err });
      throw toKvError(err, what, key);
    }
  }

  /** A repository that wrote trims the log from then on (readers never do: they may lack the right). */
  #startTrimming(): void {
    if (this.#trimming || this.#closed) return;
    this.#trimming = true;
    const next = (): void => {
      this.#timers.after(POSTGRES_REPOSITORY_DEFAULTS.trimIntervalMs, () => {
        this.trim()
          .catch((err: unknown) => this.#log.debug({ err }, 'could not trim the change log; trying again later'))
          .finally(() => {
            if (!this.#closed) next();
          });
      });
    };
    next();
  }

  #assertOpen(what: string): void {
    if (this.#closed) throw new KvError('Unavailable', `PostgreSQL ${what}: the repository is closed`);
  }

  /** Where it connects, without the password (for logs). */
  toString(): string {
    return `PostgresRepository(${redactedUrl(this.#options.url)}, schema ${this.#tables.schema})`;
  }
}

/**
 * Connects to the database `options` names (lazily: the first call connects and creates
 * the tables if needed) and returns its Repository. Files are read now (Invalid when unreadable).
 */
export function connectPostgres(options: PostgresOptions, logger: Logger, settings: { clock?: Clock } = {}): PostgresRepository {
  return new PostgresRepository(options, {
    logger: logger.child({ component: 'kv', backend: 'postgres' }),
    ...(settings.clock ? { clock: settings.clock } : {}),
  });
}

function recordOf(row: Record<string, unknown>): KvRecord {
  return Object.freeze({
    key: String(row['key']),
    value: String(row['value']),
    modRevision: BigInt(row['mod_revision'] as string),
    createRevision: BigInt(row['create_revision'] as string),
  });
}

function changeOf(row: LogRow): KvChange {
  const revision = BigInt(row.revision!);
  if (row.value === null) return Object.freeze({ type: 'delete', key: row.key!, modRevision: revision });
  const record: KvRecord = Object.freeze({ key: row.key!, value: row.value, modRevision: revision, createRevision: BigInt(row.create_revision!) });
  return Object.freeze({ type: 'put', record });
}

/** The changes `operations` make at `revision`: every put, and the deletes of keys that exist. */
function changesOf(operations: readonly KvOperation[], current: Current, revision: Revision): KvChange[] {
  const changes: KvChange[] = [];
  for (const op of operations) {
    if (op.type === 'delete') {
      if (current.has(op.key)) changes.push({ type: 'delete', key: op.key, modRevision: revision });
      continue;
    }
    const createRevision = current.get(op.key)?.createRevision ?? revision;
    changes.push({ type: 'put', record: { key: op.key, value: op.value, modRevision: revision, createRevision } });
  }
  return changes;
}

function holds(guard: KvGuard, record: KvRecord | undefined): boolean {
  if ('value' in guard) return record !== undefined && record.value === guard.value;
  return (record?.modRevision ?? 0n) === guard.modRevision;
}

function assertExpected(current: Current, key: string, expected: Revision | undefined): void {
  const record = current.get(key);
  if (!record) throw new KvError('NotFound', `key ${key} does not exist`, { key });
  if (expected !== undefined && record.modRevision !== expected) {
    throw new KvError('Conflict', `key ${key} is at revision ${record.modRevision}, not ${expected}`, { key });
  }
}
