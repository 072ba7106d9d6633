/**
 * A real HAProxy for tests: `haproxy -c` on a rendered config, and an HAProxy started as a
 * child process in the foreground on loopback ports the test chose (never a privileged
 * one), stopped at the end. Certificates are self-signed with `openssl`, made per run.
 *
 * Usage:
 *   describe('against HAProxy', { skip: haproxySkipReason() }, () => { ... });
 *
 * When haproxy (or openssl) is not installed, suites skip with a reason, except under
 * CI=true, where the helpers fail with a message saying what to install: CI must not pass
 * by skipping (.ci/haproxy.sh installs both).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { findBinary, inCi } from './local-server.ts';

const run = promisify(execFile);

/** How long HAProxy may take to accept connections after it is spawned, in ms (a guard, not a goal). */
const START_TIMEOUT_MS = 15_000;
/** How long HAProxy may take to exit after SIGTERM before it is killed, in ms. */
const STOP_TIMEOUT_MS = 5_000;
/** Pause between connection attempts while it starts, in ms. */
const POLL_MS = 25;

/** The haproxy binary: /usr/sbin/haproxy, else `haproxy` on PATH. */
export function findHaproxy(): string | undefined {
  return findBinary('haproxy', '/usr/sbin/haproxy');
}

function findOpenssl(): string | undefined {
  return findBinary('openssl', '/usr/bin/openssl');
}

const MISSING = 'haproxy and openssl are required (apt-get install haproxy openssl; .ci/haproxy.sh does so)';

/**
 * The `skip` option for suites that need HAProxy: a reason when haproxy or openssl is
 * missing outside CI, false otherwise (in CI the helpers then fail instead).
 */
export function haproxySkipReason(): string | false {
  if ((findHaproxy() !== undefined && findOpenssl() !== undefined) || inCi()) return false;
  return `${MISSING}: not installed`;
}

function binary(find: () => string | undefined, name: string): string {
  const found = find();
  if (found === undefined) throw new Error(`${MISSING}: no ${name} found`);
  return found;
}

/** `haproxy -c -f file`: whether HAProxy accepts the configuration, and what it said. */
export async function checkConfig(file: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(binary(findHaproxy, 'haproxy'), ['-c', '-f', file], { timeout: 30_000 });
    return { ok: true, output: `${stdout}${stderr}` };
  } catch (err) {
    const failed = err as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` || failed.message };
  }
}

let pem: Promise<string> | undefined;

/** A self-signed certificate and its key in one PEM text, as HAProxy's crt files hold them; made once per process. */
export function selfSignedPem(): Promise<string> {
  pem ??= selfSignedCertificate('informant-test').then(({ cert, key }) => `${cert}${key}`);
  return pem;
}

/** A new self-signed certificate (P-256, valid 2 days) for `host`, which is its subject and only name; PEM. */
export async function selfSignedCertificate(host: string): Promise<{ cert: string; key: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'informant-cert-'));
  try {
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    await run(binary(findOpenssl, 'openssl'), [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host}`,
    ]);
    return { cert: await readFile(cert, 'utf8'), key: await readFile(key, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * How HAProxy runs: in the foreground (`-db`), and with `masterWorker` as a master process
 * (`-W`) writing its pid to `pidFile` (`-p`) and serving its master CLI on `masterSocket` (`-S`).
 */
export interface HaproxyStartOptions {
  masterWorker?: { pidFile?: string; masterSocket?: string };
}

/** A running HAProxy (foreground, `-db`) on a config file; see the module comment. */
export class TestHaproxy {
  readonly #child: ChildProcess;
  #output = '';
  #loaded = 0;
  /** The end of what stderr said so far: a line split across two chunks is still counted. */
  #stderrTail = '';

  private constructor(child: ChildProcess) {
    this.#child = child;
    const keep = (chunk: Buffer) => (this.#output = (this.#output + chunk.toString()).slice(-8000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.stderr?.on('data', (chunk: Buffer) => {
      const lines = (this.#stderrTail + chunk.toString()).split('\n');
      this.#stderrTail = lines.pop()!;
      this.#loaded += lines.filter((line) => line.endsWith('Loading success.')).length;
    });
    live.add(this);
    installExitHook();
  }

  /**
   * Starts HAProxy on `file` and resolves once `port` (one of its binds, on 127.0.0.1)
   * accepts connections; rejects with HAProxy's output if it exits first. In master-worker
   * mode, SIGUSR2 to the pid in the pid file, or `reload` on the master CLI socket, reloads
   * it (the master re-reads `file`).
   */
  static async start(file: string, port: number, options: HaproxyStartOptions = {}): Promise<TestHaproxy> {
    const { pidFile, masterSocket } = options.masterWorker ?? {};
    const mode = options.masterWorker ? ['-W', ...(pidFile ? ['-p', pidFile] : []), ...(masterSocket ? ['-S', masterSocket] : [])] : [];
    const child = spawn(binary(findHaproxy, 'haproxy'), ['-db', ...mode, '-n', '256', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const haproxy = new TestHaproxy(child);
    try {
      await haproxy.#listening(port);
    } catch (err) {
      await haproxy.stop();
      throw err;
    }
    return haproxy;
  }

  /** What HAProxy printed (the last 8 KB). */
  get output(): string {
    return this.#output;
  }

  /** Master-worker mode: how many times a reload loaded a new configuration (the master's "Loading success." lines). */
  get reloads(): number {
    return this.#loaded - 1;
  }

  /** Kills HAProxy at once; for the process exit hook. */
  killNow(): void {
    this.#child.kill('SIGKILL');
  }

  /** Stops HAProxy (SIGTERM, then SIGKILL if it lingers). Idempotent. */
  async stop(): Promise<void> {
    live.delete(this);
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  async #listening(port: number): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.#child.exitCode !== null || this.#child.signalCode !== null) {
        throw new Error(`haproxy exited during start (${this.#child.exitCode ?? this.#child.signalCode}): ${this.#output}`);
      }
      if (await accepts(port)) return;
      await sleep(POLL_MS);
    }
    throw new Error(`haproxy did not accept connections on 127.0.0.1:${port} within ${START_TIMEOUT_MS} ms: ${this.#output}`);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** HAProxies not stopped when the test process exits are killed. */
const live = new Set<TestHaproxy>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const haproxy of live) haproxy.killNow();
  });
}
