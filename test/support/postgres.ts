/**
 * A real PostgreSQL for tests: the server binaries of Debian's `postgresql` package (or
 * `initdb` and `postgres` on PATH), a fresh cluster made by `initdb` in a temporary folder,
 * served on a free loopback port (and a unix socket in that folder), stopped, restarted on
 * the same data and port, and removed afterwards. PostgreSQL refuses to run as root, so as
 * root the cluster belongs to an unprivileged system user (`postgres`, which the package
 * creates, else `nobody`) and the server runs as that user.
 *
 * Usage:
 *   describe('against PostgreSQL', { skip: postgresSkipReason() }, () => {
 *     let pg: TestPostgres;
 *     before(async () => { pg = await TestPostgres.start(); });
 *     after(() => pg?.stop());
 *   });
 *
 * When PostgreSQL is not installed, suites skip with a reason, except under CI=true, where
 * `start()` fails with a message saying what to install: CI must not pass by skipping.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, chownSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import postgres from 'postgres';
import { freePort, LocalServer, ServerProcess, skipUnlessInstalled } from './local-server.ts';

/** The superuser initdb creates, and its password. */
const SUPERUSER = 'informant_admin';
const PASSWORD = 'test-password';

/** The folder holding `initdb` and `postgres`, or undefined when PostgreSQL is not installed. */
export function findPostgres(): string | undefined {
  const installed = (() => {
    try {
      return readdirSync('/usr/lib/postgresql')
        .filter((version) => /^\d+$/.test(version))
        .sort((a, b) => Number(b) - Number(a))
        .map((version) => `/usr/lib/postgresql/${version}/bin`);
    } catch {
      return [];
    }
  })();
  const onPath = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  return [...installed, ...onPath].find((dir) => executable(join(dir, 'initdb')) && executable(join(dir, 'postgres')));
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The `skip` option for suites that need PostgreSQL (see the module comment). */
export function postgresSkipReason(): string | false {
  return skipUnlessInstalled(
    findPostgres() !== undefined,
    'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb, no initdb on PATH; apt-get install postgresql)',
  );
}

/** The user the cluster belongs to: the current one, or an unprivileged one when running as root. */
interface Owner {
  readonly uid: number;
  readonly gid: number;
}

function clusterOwner(): Owner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => line.split(':'));
  const entry = passwd.find((fields) => fields[0] === 'postgres') ?? passwd.find((fields) => fields[0] === 'nobody');
  if (!entry) throw new Error('running as root, and neither a postgres nor a nobody user exists to run PostgreSQL as');
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

/** A running PostgreSQL on loopback; see the module comment. */
export class TestPostgres extends LocalServer {
  readonly #bin: string;
  readonly #dir: string;
  readonly #port: number;
  readonly #owner: Owner | undefined;
  /** Fast shutdown: ends the sessions and checkpoints, so a restart finds the data. */
  protected readonly stopSignal = 'SIGINT';

  private constructor(bin: string, dir: string, port: number, owner: Owner | undefined) {
    super();
    this.#bin = bin;
    this.#dir = dir;
    this.#port = port;
    this.#owner = owner;
  }

  /** Makes a cluster with initdb in a fresh temporary folder, starts it on a free port and waits until it accepts connections. */
  static async start(): Promise<TestPostgres> {
    const bin = findPostgres();
    if (bin === undefined) {
      throw new Error(
        'PostgreSQL is required for these tests and is not installed: no /usr/lib/postgresql/*/bin/initdb and no initdb on PATH ' +
          '(install Debian package postgresql; .ci/run does so)',
      );
    }
    const owner = clusterOwner();
    const dir = mkdtempSync(join(tmpdir(), 'informant-postgres-'));
    const server = new TestPostgres(bin, dir, await freePort(), owner);
    try {
      server.#initdb();
      await server.startProcess();
      return server;
    } catch (err) {
      await server.stop();
      throw err;
    }
  }

  /** A connection URL of the superuser, e.g. `postgres://informant_admin:…@127.0.0.1:41234/postgres`. */
  get url(): string {
    return this.urlFor(SUPERUSER, PASSWORD);
  }

  /** A connection URL for `user` with `password`, to database `database` (default postgres). */
  urlFor(user: string, password: string, database = 'postgres'): string {
    return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${this.#port}/${database}`;
  }

  /** The superuser's name and password. */
  get user(): string {
    return SUPERUSER;
  }

  get password(): string {
    return PASSWORD;
  }

  /** The TCP port on 127.0.0.1. */
  get port(): number {
    return this.#port;
  }

  /** The temporary folder holding the data and the socket (removed by stop). */
  get dir(): string {
    return this.#dir;
  }

  /** Runs `statements` as the superuser, one after another (for test setup: roles, grants, probes). */
  async admin<T = postgres.Row>(statements: string): Promise<T[]> {
    const sql = postgres(this.url, { max: 1, onnotice: () => undefined });
    try {
      return (await sql.unsafe(statements)) as unknown as T[];
    } finally {
      await sql.end({ timeout: 1 });
    }
  }

  #initdb(): void {
    const pwfile = join(this.#dir, 'pwfile');
    writeFileSync(pwfile, `${PASSWORD}\n`);
    if (this.#owner) {
      chownSync(this.#dir, this.#owner.uid, this.#owner.gid);
      chownSync(pwfile, this.#owner.uid, this.#owner.gid);
    }
    const args = ['-D', join(this.#dir, 'data'), '-U', SUPERUSER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--no-locale', '--no-sync'];
    const result = spawnSync(join(this.#bin, 'initdb'), args, { encoding: 'utf8', ...(this.#owner ?? {}) });
    if (result.status !== 0) throw new Error(`initdb failed (${result.status ?? result.signal}): ${result.stderr || result.stdout || result.error?.message}`);
  }

  protected removeData(): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }

  protected launch(): Promise<ServerProcess> {
    const args = [
      '-D', join(this.#dir, 'data'),
      '-p', String(this.#port),
      '-k', this.#dir,
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'max_connections=300',
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
      '-c', 'log_min_messages=warning',
    ];
    return ServerProcess.start('postgres', join(this.#bin, 'postgres'), args, this.#owner ?? {}, () => this.#ready());
  }

  async #ready(): Promise<boolean> {
    const sql = postgres(this.url, { max: 1, connect_timeout: 1, onnotice: () => undefined });
    try {
      await sql`select 1`;
      return true;
    } catch {
      return false;
    } finally {
      await sql.end({ timeout: 0 });
    }
  }
}
