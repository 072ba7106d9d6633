/**
 * The API server the contenders talk to: a TestApiServer on 127.0.0.1 inside the runner
 * process (so serving never competes with a contender for its event loop), seeded with
 * objects, and a kubeconfig file pointing at it that informant and client-node both load.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeObject } from '../../src/k8s.ts';
import { TestApiServer, type TestApiServerOptions } from '../../test/support/apiserver/index.ts';

/** A seeded server and the kubeconfig that reaches it. */
export interface BenchCluster {
  server: TestApiServer;
  /** Path of a kubeconfig (bearer token, plain http, insecure-skip-tls-verify for client-node). */
  kubeconfig: string;
  /** The bearer token the server requires. */
  token: string;
  /** A folder for the benchmark's own files, removed by close(). */
  dir: string;
  /** Stops the server and removes the folder. */
  close(): Promise<void>;
}

const TOKEN = 'bench-token';

/** Starts a server, creates `seed` (resource → objects, in order) and writes the kubeconfig. */
export async function startCluster(
  seed: Record<string, Iterable<KubeObject>>,
  options: TestApiServerOptions = {},
): Promise<BenchCluster> {
  const server = await TestApiServer.start({ token: TOKEN, ...options });
  for (const [resource, objects] of Object.entries(seed)) {
    for (const obj of objects) server.create(resource, obj);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'informant-bench-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  fs.writeFileSync(kubeconfig, kubeconfigText(server.url));
  return {
    server,
    kubeconfig,
    token: TOKEN,
    dir,
    close: async () => {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `count` objects built by `make(0..count-1)`, lazily. */
export function* generate(count: number, make: (i: number) => KubeObject): Generator<KubeObject> {
  for (let i = 0; i < count; i++) yield make(i);
}

function kubeconfigText(url: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: bench',
    `  cluster: {server: "${url}", insecure-skip-tls-verify: true}`,
    'users:',
    '- name: bench',
    `  user: {token: "${TOKEN}"}`,
    'contexts:',
    '- name: bench',
    '  context: {cluster: bench, user: bench}',
    'current-context: bench',
    '',
  ].join('\n');
}
