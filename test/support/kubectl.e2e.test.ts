/**
 * Fidelity of the test API server against a real client: kubectl (a client-go program)
 * discovers, lists and watches through it. Skipped when kubectl is not installed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { TestApiServer } from './apiserver/index.ts';
import { eventually } from './waiters.ts';

/** The path of an executable on PATH, or undefined. */
function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const KUBECTL = findOnPath('kubectl');
const skip = KUBECTL === undefined ? 'kubectl not found on PATH' : false;
/** Guard against a hung kubectl, in ms; not an assertion about speed. */
const COMMAND_TIMEOUT_MS = 30_000;
/** Poll period while waiting for the server to see kubectl's watch, in ms. */
const POLL_MS = 20;

describe('kubectl against TestApiServer', { skip, timeout: 60_000 }, () => {
  let server: TestApiServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const kubectlArgs = (args: string[]) => [`--cache-dir=${join(dir, 'cache')}`, ...args];
  const kubectl = async (...args: string[]) =>
    (await promisify(execFile)(KUBECTL!, kubectlArgs(args), { env, timeout: COMMAND_TIMEOUT_MS })).stdout;

  before(async () => {
    server = await TestApiServer.start();
    dir = mkdtempSync(join(tmpdir(), 'informant-kubectl-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: test, cluster: {server: "${server.url}"}}]`,
        'users: [{name: test, user: {}}]',
        'contexts: [{name: test, context: {cluster: test, user: test, namespace: default}}]',
        'current-context: test',
      ].join('\n'),
    );
    env = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: kubeconfig };
    server.create('pods', { metadata: { name: 'a', namespace: 'x' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    server.create('pods', { metadata: { name: 'b', namespace: 'x' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    server.create('pods', { metadata: { name: 'elsewhere', namespace: 'y' }, spec: {} });
    server.create('ingresses', { metadata: { name: 'web', namespace: 'x' }, spec: { ingressClassName: 'haproxy' } });
    server.create('ingresses', { metadata: { name: 'api', namespace: 'y' }, spec: { ingressClassName: 'haproxy' } });
  });

  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('kubectl get ingresses -A -o json prints every ingress, typed', async () => {
    const list = JSON.parse(await kubectl('get', 'ingresses', '-A', '-o', 'json'));
    assert.deepEqual(
      list.items.map((i: any) => [i.kind, i.apiVersion, i.metadata.namespace, i.metadata.name, i.spec.ingressClassName]),
      [
        ['Ingress', 'networking.k8s.io/v1', 'x', 'web', 'haproxy'],
        ['Ingress', 'networking.k8s.io/v1', 'y', 'api', 'haproxy'],
      ],
    );
  });

  test('kubectl get pods -n x -o name prints the pods of that namespace', async () => {
    assert.equal(await kubectl('get', 'pods', '-n', 'x', '-o', 'name'), 'pod/a\npod/b\n');
  });

  test('kubectl get pods prints a table even though the server offers no Table', async () => {
    const lines = (await kubectl('get', 'pods', '-n', 'x')).trim().split('\n');
    assert.match(lines[0]!, /^NAME\s+AGE$/);
    assert.deepEqual(lines.slice(1).map((l) => l.split(/\s+/)[0]), ['a', 'b']);
  });

  test('kubectl get pods --watch prints the initial list, then an object created while it watches', async () => {
    const child = spawn(KUBECTL!, kubectlArgs(['get', 'pods', '-n', 'x', '--watch', '-o', 'name']), { env });
    try {
      let output = '';
      let errors = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
      const exited = () => child.exitCode !== null || child.signalCode !== null;
      await eventually(() => (output.includes('pod/b\n') && server.openWatches('pods') === 1) || exited(), 'kubectl listed pod/b and watches', { intervalMs: POLL_MS });
      assert.equal(exited(), false, `kubectl exited early: ${errors}`);
      server.create('pods', { metadata: { name: 'new', namespace: 'x' }, spec: {} });
      server.create('pods', { metadata: { name: 'unseen', namespace: 'y' }, spec: {} });
      await eventually(() => output.includes('pod/new\n') || exited(), 'kubectl printed pod/new', { intervalMs: POLL_MS });
      assert.equal(output, 'pod/a\npod/b\npod/new\n', errors);
      const watchRequest = server.requests.find((r) => r.query.get('watch') === 'true');
      assert.equal(watchRequest?.path, '/api/v1/namespaces/x/pods');
    } finally {
      child.kill();
    }
  });
});
