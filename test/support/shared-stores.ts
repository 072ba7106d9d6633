/**
 * The real shared stores scenario tests run against: etcd (test/support/etcd.ts) and
 * PostgreSQL (test/support/postgres.ts) behind one face, so a scenario is written once
 * and runs against each:
 *
 *   for (const kind of SHARED_STORE_KINDS) {
 *     describe(`… through ${kind.name}`, { skip: kind.skip }, () => {
 *       let store: TestSharedStore;
 *       before(async () => { store = await kind.start(); });
 *       after(() => store?.stop());
 *     });
 *   }
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SharedStoreConfig } from '../../src/config/types.ts';
import type { Repository, Revision } from '../../src/kv/index.ts';
import { connectEtcd } from '../../src/kv/etcd/index.ts';
import { connectPostgres, type PostgresOptions } from '../../src/kv/postgres/index.ts';
import { silentLogger } from '../../src/log.ts';
import { etcdSkipReason, TestEtcd } from './etcd.ts';
import { postgresSkipReason, TestPostgres } from './postgres.ts';

/** One running store; see the module comment. */
export interface TestSharedStore {
  /** The backend name, as config writes it. */
  readonly backend: 'etcd' | 'postgres';
  /** The TCP port clients connect to (a TcpProxy in front of it can cut them). */
  readonly port: number;
  /** The backend's settings as a config file holds them (snake_case), reaching it through `port`. */
  settings(port?: number): Record<string, unknown>;
  /** The same as YAML for a config: `etcd: {…}` or `postgres: {…}`. */
  settingsYaml(port?: number): string;
  /** The SharedStoreConfig (prefix `informant`) of a publisher or source reaching it through `port`. */
  config(port?: number): SharedStoreConfig;
  /** A new connection (through `port`, default the store's own). */
  connect(port?: number): Repository;
  /** An example config's connection settings (endpoints or URL, TLS, credentials) rewritten to reach this store. */
  pointAt(exampleConfig: string): string;
  /** Forgets the history before `revision`: etcd compaction, or trimming PostgreSQL's change log. */
  compact(revision: Revision): Promise<void>;
  restart(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** How to start one kind of store, and when its suites skip. */
export interface SharedStoreKind {
  readonly name: 'etcd' | 'postgres';
  readonly skip: string | false;
  start(): Promise<TestSharedStore>;
}

/** The PostgreSQL schema the tests use. */
const SCHEMA = 'informant_test';

async function startEtcd(): Promise<TestSharedStore> {
  const etcd = await TestEtcd.start();
  const settings = (port = etcd.clientPort) => ({ endpoints: [`http://127.0.0.1:${port}`], dialTimeoutMs: 5_000 });
  const written = (port?: number) => ({ endpoints: settings(port).endpoints });
  return {
    backend: 'etcd',
    port: etcd.clientPort,
    settings: written,
    settingsYaml: (port) => `etcd: ${JSON.stringify(written(port))}`,
    config: (port) => ({ backend: 'etcd', prefix: 'informant', settings: settings(port) }),
    connect: (port) => connectEtcd(settings(port), silentLogger()),
    pointAt: (text) => text.replace(/^( +endpoints: ).*$/m, `$1["${etcd.endpoint}"]`).replace(/^ +(?:tls|auth): .*\n/gm, ''),
    compact: (revision) => etcd.compact(revision),
    restart: () => etcd.restart(),
    pause: () => etcd.pause(),
    resume: () => etcd.resume(),
    stop: () => etcd.stop(),
  };
}

async function startPostgres(): Promise<TestSharedStore> {
  const pg = await TestPostgres.start();
  const passwordFile = join(pg.dir, 'client-password');
  writeFileSync(passwordFile, `${pg.password}\n`);
  const settings = (port = pg.port): PostgresOptions => ({
    url: `postgres://${pg.user}@127.0.0.1:${port}/postgres`,
    passwordFile,
    schema: SCHEMA,
    connectTimeoutMs: 5_000,
    maxConnections: 4,
    pollIntervalMs: 500,
    history: { maxAgeMs: 3_600_000, maxRevisions: 100_000 },
  });
  const admin = connectPostgres(settings(), silentLogger());
  const written = (port?: number) => ({ url: settings(port).url, password_file: passwordFile, schema: SCHEMA, poll_interval: '500ms' });
  return {
    backend: 'postgres',
    port: pg.port,
    settings: written,
    settingsYaml: (port) => `postgres: ${JSON.stringify(written(port))}`,
    config: (port) => ({ backend: 'postgres', prefix: 'informant', settings: settings(port) as unknown as Readonly<Record<string, unknown>> }),
    connect: (port) => connectPostgres(settings(port), silentLogger()),
    pointAt: (text) =>
      text
        .replace(/^( +url: ).*$/m, `$1${settings().url}`)
        .replace(/^( +password_file: ).*$/m, `$1${passwordFile}`)
        .replace(/^ +tls: .*\n/gm, ''),
    compact: (revision) => admin.compact(revision),
    restart: () => pg.restart(),
    pause: () => pg.pause(),
    resume: () => pg.resume(),
    stop: async () => {
      await admin.close();
      await pg.stop();
    },
  };
}

/** etcd and PostgreSQL, in that order. */
export const SHARED_STORE_KINDS: readonly SharedStoreKind[] = Object.freeze([
  { name: 'etcd', skip: etcdSkipReason(), start: startEtcd },
  { name: 'postgres', skip: postgresSkipReason(), start: startPostgres },
]);
