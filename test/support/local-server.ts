/**
 * What the tests that run a real server (etcd, PostgreSQL) share: free loopback ports,
 * whether a missing server fails (CI) or skips, and killing what a test process leaves
 * running when it exits.
 */
import { createServer } from 'node:net';

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
