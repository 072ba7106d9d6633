/**
 * A real etcd for tests: `/usr/bin/etcd` (or `etcd` on PATH) started as a child process on
 * free loopback ports with a temporary data dir, stopped, restarted on the same data and
 * ports, and compacted through its v3 JSON gateway.
 *
 * Usage:
 *   describe('against etcd', { skip: etcdSkipReason() }, () => {
 *     let etcd: TestEtcd;
 *     before(async () => { etcd = await TestEtcd.start(); });
 *     after(() => etcd.stop());
 *   });
 *
 * When etcd is not installed, suites skip with a reason, except under CI=true, where
 * `start()` fails with a message saying what to install: CI must not pass by skipping.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKvError } from '../../src/kv/index.ts';
import { findBinary, freePorts as freeLoopbackPorts, LocalServer, ServerProcess, skipUnlessInstalled } from './local-server.ts';

/** How many times to try fresh ports when etcd exits during start (a port taken meanwhile). */
const START_ATTEMPTS = 3;

/** The etcd binary: /usr/bin/etcd, else `etcd` on PATH; undefined when neither exists. */
export function findEtcd(): string | undefined {
  return findBinary('etcd', '/usr/bin/etcd');
}

/**
 * The `skip` option for suites that need etcd: a reason when etcd is missing outside CI,
 * false otherwise (in CI a missing etcd makes `TestEtcd.start()` fail instead).
 */
export function etcdSkipReason(): string | false {
  return skipUnlessInstalled(findEtcd() !== undefined, 'etcd is not installed (no /usr/bin/etcd, no etcd on PATH; apt-get install etcd-server)');
}

/** Ports and paths of one etcd member. */
interface Member {
  readonly binary: string;
  readonly dataDir: string;
  readonly clientPort: number;
  readonly peerPort: number;
}

/** A running etcd on loopback; see the module comment. */
export class TestEtcd extends LocalServer {
  readonly #member: Member;
  protected readonly stopSignal = 'SIGTERM';

  private constructor(member: Member) {
    super();
    this.#member = member;
  }

  /** Starts etcd on free loopback ports with a fresh data dir and waits until it is healthy. */
  static async start(): Promise<TestEtcd> {
    const binary = findEtcd();
    if (binary === undefined) {
      throw new Error(
        'etcd is required for these tests and is not installed: no /usr/bin/etcd and no etcd on PATH ' +
          '(install Debian package etcd-server; .ci/run does so)',
      );
    }
    let lastError: unknown;
    for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      const member = { binary, dataDir: mkdtempSync(join(tmpdir(), 'informant-etcd-')), ...(await freePorts()) };
      const etcd = new TestEtcd(member);
      try {
        await etcd.startProcess();
        return etcd;
      } catch (err) {
        lastError = err;
        await etcd.stop();
      }
    }
    throw lastError;
  }

  /** The client URL, e.g. `http://127.0.0.1:41234`. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.#member.clientPort}`;
  }

  /** The client port on 127.0.0.1. */
  get clientPort(): number {
    return this.#member.clientPort;
  }

  /** The member's data dir (removed by stop). */
  get dataDir(): string {
    return this.#member.dataDir;
  }

  /** The current revision of the whole store. */
  async revision(): Promise<bigint> {
    const body = await this.#gateway('/v3/kv/range', { key: Buffer.from('\0').toString('base64') });
    return BigInt((body as { header: { revision: string } }).header.revision);
  }

  /** Compacts the history before `revision` (physically), as an operator or auto-compaction would. */
  async compact(revision: bigint): Promise<void> {
    await this.#gateway('/v3/kv/compaction', { revision: String(revision), physical: true });
  }

  async #gateway(path: string, body: unknown): Promise<unknown> {
    const response = await fetch(`${this.endpoint}${path}`, { method: 'POST', body: JSON.stringify(body) });
    const text = await response.text();
    if (!response.ok) throw new Error(`etcd ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text);
  }

  protected removeData(): void {
    rmSync(this.#member.dataDir, { recursive: true, force: true });
  }

  protected launch(): Promise<ServerProcess> {
    const { binary, dataDir, clientPort, peerPort } = this.#member;
    const client = `http://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    const args = [
      '--name=default',
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=default=${peer}`,
      '--logger=zap',
      '--log-level=error',
    ];
    return ServerProcess.start('etcd', binary, args, {}, () => this.#healthy());
  }

  async #healthy(): Promise<boolean> {
    try {
      const response = await fetch(`${this.endpoint}/health`, { signal: AbortSignal.timeout(1_000) });
      const body = (await response.json()) as { health?: string };
      return body.health === 'true';
    } catch {
      return false;
    }
  }
}

/** Two distinct free loopback ports (a client and a peer port). */
async function freePorts(): Promise<{ clientPort: number; peerPort: number }> {
  const [clientPort, peerPort] = await freeLoopbackPorts(2);
  return { clientPort: clientPort!, peerPort: peerPort! };
}

/**
 * Runs `write` until etcd answers it: retries while it is still coming back after a
 * restart (Unavailable, every 100 ms, at most ~10 s); any other error fails the caller.
 */
export async function whenReachable(write: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await write();
      return;
    } catch (err) {
      if (!isKvError(err, 'Unavailable') || attempt > 100) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
