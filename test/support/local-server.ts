/**
 * What the tests that run a real server from a Debian package (etcd, PostgreSQL, HAProxy)
 * share: finding its binary, free loopback ports, whether a missing server fails (CI) or
 * skips, the server's child process (started until ready, stopped with a signal), and
 * killing what a test process leaves running when it exits.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The first executable of `preferred` (an absolute path) and `name` in each PATH folder; undefined when none is. */
export function findBinary(name: string, preferred: string): string | undefined {
  const candidates = [preferred, ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, name))];
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Under CI=true, tests must not pass by skipping. */
export function inCi(): boolean {
  return process.env.CI === 'true';
}

/**
 * The `skip` option for suites that need a server: `reason` when it is missing outside CI,
 * false otherwise (in CI a missing server makes its start() fail instead).
 */
export function skipUnlessInstalled(installed: boolean, reason: string): string | false {
  return installed || inCi() ? false : reason;
}

/** A free TCP port on 127.0.0.1 (free when asked; the caller binds it soon after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `count` distinct free loopback ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** A server that can be killed synchronously (from the process exit hook). */
export interface KillableServer {
  killNow(): void;
}

const live = new Set<KillableServer>();
let exitHookInstalled = false;

/** Kills `server` when the test process exits, unless `forget(server)` was called first. */
export function killOnExit(server: KillableServer): void {
  live.add(server);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const leftover of live) leftover.killNow();
  });
}

/** `server` was stopped properly: nothing to kill at exit. */
export function forget(server: KillableServer): void {
  live.delete(server);
}

/** How long a server may take to become ready, and to exit when stopped, in ms (guards, not goals). */
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
/** Pause between readiness probes, in ms. */
const POLL_MS = 50;

/** A server's child process, with the last 4,000 characters it wrote (for errors). */
export class ServerProcess {
  readonly #name: string;
  readonly #child: ChildProcess;
  #output = '';

  private constructor(name: string, child: ChildProcess) {
    this.#name = name;
    this.#child = child;
    const keep = (chunk: Buffer) => (this.#output = (this.#output + chunk.toString()).slice(-4000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** Spawns `binary` and resolves once `ready()` answers true; rejects with its output when it exits first or takes too long. */
  static async start(name: string, binary: string, args: readonly string[], options: SpawnOptions, ready: () => Promise<boolean>): Promise<ServerProcess> {
    const server = new ServerProcess(name, spawn(binary, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] }));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (server.#exited()) {
        throw new Error(`${name} exited during start (${server.#child.exitCode ?? server.#child.signalCode}): ${server.#output}`);
      }
      if (await ready()) return server;
      await sleep(POLL_MS);
    }
    server.kill();
    throw new Error(`${name} did not become ready within ${START_TIMEOUT_MS} ms: ${server.#output}`);
  }

  /** Stops it with `signal`, then SIGKILL if it lingers; resolves once it exited. */
  async stop(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    if (this.#exited()) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  /** Kills it at once (the process exit hook). */
  kill(): void {
    this.#child.kill('SIGKILL');
  }

  #exited(): boolean {
    return this.#child.exitCode !== null || this.#child.signalCode !== null;
  }
}

/**
 * The life of a test server: started until ready, restarted on the same data and ports,
 * paused and resumed (clients see it down meanwhile), stopped with its data removed, and
 * killed at once if the test process exits first. Subclasses say how to launch it, which
 * signal stops it cleanly, and where its data is.
 */
export abstract class LocalServer implements KillableServer {
  #process: ServerProcess | undefined;
  #removed = false;

  /** Spawns the server; resolves once it is ready. */
  protected abstract launch(): Promise<ServerProcess>;
  /** The signal that stops it cleanly, keeping its data. */
  protected abstract readonly stopSignal: NodeJS.Signals;
  /** Removes its data (once). */
  protected abstract removeData(): void;

  /** Starts it (again); resolves once ready. */
  protected async startProcess(): Promise<void> {
    killOnExit(this);
    this.#process = await this.launch();
  }

  async #stopProcess(): Promise<void> {
    const running = this.#process;
    this.#process = undefined;
    await running?.stop(this.stopSignal);
  }

  /** Stops it and starts it again on the same data and ports; resolves once ready. */
  async restart(): Promise<void> {
    await this.#stopProcess();
    await this.startProcess();
  }

  /** Stops it, keeping its data, until `resume()`: clients see it down. */
  async pause(): Promise<void> {
    await this.#stopProcess();
  }

  /** Starts a paused server again on the same data and ports. */
  async resume(): Promise<void> {
    await this.startProcess();
  }

  /** Stops it and removes its data. Idempotent. */
  async stop(): Promise<void> {
    await this.#stopProcess();
    this.#removeOnce();
    forget(this);
  }

  /** Kills it at once and removes its data; for the process exit hook. */
  killNow(): void {
    this.#process?.kill();
    this.#removeOnce();
  }

  #removeOnce(): void {
    if (this.#removed) return;
    this.#removed = true;
    this.removeData();
  }
}
