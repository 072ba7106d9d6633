/**
 * informant's tables in one PostgreSQL schema, created on first use:
 *
 * - `meta`: one row; `schema_version` (so a later release can migrate), `revision` (the
 *   revision of the last committed change: the global sequence every write takes the next
 *   number of) and `compacted` (changes before it were trimmed from the log).
 * - `records`: the current state, one row per key with its create and mod revision. Keys
 *   use the "C" collation, so they sort and range-scan by their UTF-8 bytes, as in etcd.
 * - `changes`: the change log watches read, one row per key a transaction changed
 *   (value null for a delete), written in the same transaction as the change.
 *
 * Creation is idempotent and safe when several processes start at once (a transaction-level
 * advisory lock), and needs no privilege once the tables exist: a read-only role only
 * checks the version.
 */
import type { PostgresClient } from './options.ts';
import { KvError } from '../types.ts';
import { sqlStateOf } from './errors.ts';

/** The layout this release reads and writes. */
export const SCHEMA_VERSION = 1;

/** The qualified names of informant's tables in `schema`, and the notification channel. */
export interface Tables {
  readonly schema: string;
  readonly meta: string;
  readonly records: string;
  readonly changes: string;
  /** The LISTEN/NOTIFY channel a commit wakes watches on. */
  readonly channel: string;
}

/** A schema name informant accepts: a plain lower-case identifier (no quoting surprises). */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,47}$/;

/** The tables of `schema`; Invalid for a name that is not a plain identifier. */
export function tablesOf(schema: string): Tables {
  if (!SCHEMA_NAME.test(schema)) {
    throw new KvError('Invalid', `PostgreSQL schema name "${schema}": use lower-case letters, digits and _, starting with a letter or _`);
  }
  return { schema, meta: `${schema}.meta`, records: `${schema}.records`, changes: `${schema}.changes`, channel: `${schema}.changes` };
}

/**
 * Makes sure the tables exist at SCHEMA_VERSION: nothing to do when they do; created (under
 * an advisory lock, so concurrent starts do not race) when they do not. Rejects with an
 * Invalid KvError for tables of a newer release, and with what PostgreSQL says otherwise
 * (a role that may not create them, an unreachable server).
 */
export async function ensureSchema(sql: PostgresClient, tables: Tables): Promise<void> {
  if (await currentVersion(sql, tables)) return;
  try {
    await createTables(sql, tables);
  } catch (err) {
    if (sqlStateOf(err) !== INSUFFICIENT_PRIVILEGE) throw err;
    const message =
      `PostgreSQL: schema ${tables.schema} has no informant tables yet, and this role may not create them ` +
      `(${(err as Error).message}): start a publisher (whose role may) first, or let an administrator create the schema`;
    throw new KvError('Unavailable', message, { cause: err });
  }
  if (!(await currentVersion(sql, tables))) throw new KvError('Unavailable', `PostgreSQL: the tables of schema ${tables.schema} were not created`);
}

/** SQLSTATE of a missing privilege. */
const INSUFFICIENT_PRIVILEGE = '42501';

/** Creates the schema (when missing) and the tables, under an advisory lock. */
async function createTables(sql: PostgresClient, tables: Tables): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext(${`informant:${tables.schema}`}))`;
    if (await currentVersion(tx as unknown as PostgresClient, tables)) return;
    const [namespace] = await tx`SELECT 1 FROM pg_namespace WHERE nspname = ${tables.schema}`;
    if (!namespace) await tx`CREATE SCHEMA ${tx(tables.schema)}`;
    await tx`CREATE TABLE IF NOT EXISTS ${tx(tables.meta)} (
      id smallint PRIMARY KEY CHECK (id = 1),
      schema_version integer NOT NULL,
      revision bigint NOT NULL,
      compacted bigint NOT NULL
    )`;
    await tx`CREATE TABLE IF NOT EXISTS ${tx(tables.records)} (
      key text COLLATE "C" PRIMARY KEY,
      value text NOT NULL,
      create_revision bigint NOT NULL,
      mod_revision bigint NOT NULL
    )`;
    await tx`CREATE TABLE IF NOT EXISTS ${tx(tables.changes)} (
      revision bigint NOT NULL,
      position integer NOT NULL,
      key text COLLATE "C" NOT NULL,
      value text,
      create_revision bigint,
      committed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (revision, position)
    )`;
    await tx`INSERT INTO ${tx(tables.meta)} (id, schema_version, revision, compacted) VALUES (1, ${SCHEMA_VERSION}, 0, 0) ON CONFLICT (id) DO NOTHING`;
  });
}

/** True when the tables exist at SCHEMA_VERSION, false when they do not exist; Invalid for another version. */
async function currentVersion(sql: PostgresClient, tables: Tables): Promise<boolean> {
  const [found] = await sql`SELECT to_regclass(${tables.meta}) IS NOT NULL AS present`;
  if (!found?.['present']) return false;
  const [row] = await sql`SELECT schema_version FROM ${sql(tables.meta)} WHERE id = 1`;
  if (!row) return false;
  const version = Number(row['schema_version']);
  if (version !== SCHEMA_VERSION) {
    throw new KvError(
      'Invalid',
      `PostgreSQL schema ${tables.schema} is at version ${version}; this informant reads version ${SCHEMA_VERSION}` +
        (version > SCHEMA_VERSION ? ': upgrade informant' : ''),
    );
  }
  return true;
}

/**
 * The bounds of the keys starting with `prefix` in "C" collation (code point order):
 * `[prefix, upper)`; `upper` undefined when every key from `prefix` on matches.
 */
export function keyRange(prefix: string): { lower: string; upper: string | undefined } {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return { lower: prefix, upper: points.join('') + String.fromCodePoint(next) };
    }
  }
  return { lower: prefix, upper: undefined };
}
