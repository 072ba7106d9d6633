/**
 * The `postgres` shared-store backend's settings (`publish.postgres`,
 * `source.shared.postgres`): where the database is, how to authenticate (a password file,
 * TLS), which schema holds informant's tables, and how long the change log is kept.
 */
import { resolve } from 'node:path';
import { DEFAULTS } from '../defaults.ts';
import { durationField } from '../duration.ts';
import { mapping, positiveInt, text } from '../fields.ts';
import { defineSharedBackend } from './backend.ts';
import { resolveTls } from './etcd.ts';
import { checkTlsPair, tlsSettings, type TlsFiles } from './tls.ts';

/** A PostgreSQL schema name informant accepts (plain, unquoted identifiers only). */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,47}$/;

/** The problem with a connection URL, or undefined when it is fine. */
function urlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `invalid URL ${JSON.stringify(value)}: write postgres://user@host:5432/database`;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return `expected a postgres:// URL, got ${url.protocol}//…`;
  if (url.hostname === '') return 'the URL names no host: write postgres://user@host:5432/database';
  if (url.password !== '') return 'put the password in password_file, not in the URL (the URL shows in logs and /debug/config)';
  return undefined;
}

/** The postgres settings as validated. */
interface RawPostgres {
  url: string;
  password_file?: string;
  tls?: TlsFiles;
  schema: string;
  connect_timeout: number;
  max_connections: number;
  poll_interval: number;
  history: { max_age: number; max_revisions: number };
}

/** `postgres`: tables in a PostgreSQL database; watches read a change log, woken by LISTEN/NOTIFY. */
export const POSTGRES_BACKEND_CONFIG = defineSharedBackend({
  name: 'postgres',
  description: 'A PostgreSQL database (11 or later): records in a table, watches read a change log written in the same transaction, woken by LISTEN/NOTIFY.',
  example: 'postgres: {url: postgres://informant@db:5432/informant, password_file: pg/password}',
  needsSettings: true,
  settings: {
    url: text('postgres://user@host:5432/database, libpq parameters such as sslmode=verify-full allowed; no password (use password_file).').superRefine(
      (value, ctx) => {
        const message = urlProblem(value);
        if (message !== undefined) ctx.addIssue({ code: 'custom', message });
      },
    ),
    password_file: text('File holding the password (first line, read at every connect), relative to the config file; default PGPASSWORD or none.').optional(),
    tls: tlsSettings('PostgreSQL', 'TLS towards PostgreSQL: the server certificate and host name are verified (and a client certificate sent).').optional(),
    schema: text('The PostgreSQL schema of informant\'s tables (created on first use when the role may).')
      .regex(SCHEMA_NAME, { error: (issue) => `invalid schema ${JSON.stringify(issue.input)}: use lower-case letters, digits and _, starting with a letter or _` })
      .default(DEFAULTS.postgresSchema),
    connect_timeout: durationField('How long connecting may take', { positive: true }).prefault(DEFAULTS.postgresConnectTimeout),
    max_connections: positiveInt('Connections of the pool (watches add one LISTEN connection).').default(DEFAULTS.postgresMaxConnections),
    poll_interval: durationField('Watches also read the change log this often, in case a notification was lost', { positive: true }).prefault(
      DEFAULTS.postgresPollInterval,
    ),
    history: mapping(
      {
        max_age: durationField('Changes older than this are trimmed', { positive: true }).prefault(DEFAULTS.postgresHistoryMaxAge),
        max_revisions: positiveInt('At most this many of the latest revisions are kept.').default(DEFAULTS.postgresHistoryMaxRevisions),
      },
      'How much of the change log publishers keep: a renderer away for longer lists again.',
    ).prefault({}),
  },
  check: (settings, ctx) => checkTlsPair(settings['tls'], ctx),
  flags: [
    { flag: 'postgres-url', key: 'url', value: '<url>', description: 'PostgreSQL URL (replaces postgres.url of publish or source.shared)' },
    { flag: 'postgres-password-file', key: 'password_file', value: '<file>', description: 'file holding the PostgreSQL password', path: true },
    { flag: 'postgres-schema', key: 'schema', value: '<name>', description: 'PostgreSQL schema of informant\'s tables' },
  ],
  normalize: (settings, baseDir) => {
    const raw = settings as unknown as RawPostgres;
    return {
      url: raw.url,
      ...(raw.password_file === undefined ? {} : { passwordFile: resolve(baseDir, raw.password_file) }),
      ...(raw.tls === undefined ? {} : { tls: resolveTls(raw.tls, baseDir) }),
      schema: raw.schema,
      connectTimeoutMs: raw.connect_timeout,
      maxConnections: raw.max_connections,
      pollIntervalMs: raw.poll_interval,
      history: { maxAgeMs: raw.history.max_age, maxRevisions: raw.history.max_revisions },
    };
  },
});
