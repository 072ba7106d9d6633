/**
 * How informant connects to PostgreSQL: the settings (PostgresOptions, plain values the
 * config stage hands down) translated into `postgres` client options, with the TLS files
 * read at connect time and the password file read at every (re)connect, so a rotated
 * password is picked up without a restart.
 */
import { readFileSync } from 'node:fs';
import type { Options, Sql } from 'postgres';
import { KvError } from '../types.ts';

/** The `postgres` client informant uses (no custom types). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type PostgresClient = Sql<{}>;
/** Its options. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type ClientOptions = Options<{}>;

/** How to reach PostgreSQL and where informant's tables are; file paths are absolute. */
export interface PostgresOptions {
  /** A libpq-style URL, e.g. `postgres://informant@db.example:5432/informant?sslmode=verify-full`. */
  readonly url: string;
  /** A file holding the password (first line); wins over a password in the URL. */
  readonly passwordFile?: string;
  /** TLS towards the server: the CA that signed its certificate (host name verified), and a client certificate and key. */
  readonly tls?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string };
  /** The PostgreSQL schema informant's tables live in (created on first use when the role may). */
  readonly schema: string;
  /** How long connecting may take, in ms. */
  readonly connectTimeoutMs: number;
  /** Connections of the pool (the LISTEN connection of watches comes on top). */
  readonly maxConnections: number;
  /** Watches also look for changes this often, in ms, in case a notification was missed. */
  readonly pollIntervalMs: number;
  /** How much of the change log writers keep for watches to resume from. */
  readonly history: {
    /** Changes older than this are trimmed, in ms (0: no limit by age). */
    readonly maxAgeMs: number;
    /** At most this many of the latest revisions are kept (0: no limit by count). */
    readonly maxRevisions: number;
  };
}

/** The `postgres` client options for `options`; an Invalid KvError naming a file that cannot be read. */
export function postgresClientOptions(options: PostgresOptions, onNotice: (message: string) => void): ClientOptions {
  const client: ClientOptions = {
    max: options.maxConnections,
    connect_timeout: Math.max(1, Math.ceil(options.connectTimeoutMs / 1000)),
    connection: { application_name: 'informant' },
    // No query for the server's array types on each new connection: informant sends no
    // arrays (lists travel as JSON), and the client does not handle a failure of that query.
    fetch_types: false,
    onnotice: (notice) => onNotice(String(notice['message'] ?? '')),
  };
  if (options.passwordFile !== undefined) {
    const file = options.passwordFile;
    readSetting(file, 'password file');
    client.password = () => readSetting(file, 'password file').toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  if (options.tls) {
    const { caFile, certFile, keyFile } = options.tls;
    client.ssl = {
      rejectUnauthorized: true,
      ...(caFile ? { ca: readSetting(caFile, 'TLS CA file') } : {}),
      ...(certFile ? { cert: readSetting(certFile, 'TLS certificate file') } : {}),
      ...(keyFile ? { key: readSetting(keyFile, 'TLS key file') } : {}),
    };
  }
  return client;
}

/** The URL without its password, for logs and errors. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

function readSetting(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new KvError('Invalid', `cannot read the PostgreSQL ${what} ${path}: ${(err as Error).message}`, { cause: err });
  }
}
