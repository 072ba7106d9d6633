/**
 * What the tests that run a real server from a Debian package share (etcd, HAProxy): finding
 * its binary, knowing whether a missing one may skip (outside CI) or must fail (CI=true),
 * and picking free loopback ports.
 */
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

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

/** A free TCP port on 127.0.0.1 (free when asked: bind it soon). */
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
