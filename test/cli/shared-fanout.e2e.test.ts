/**
 * Scaling out, end to end: `informant run` processes publish the Services of two test API
 * servers (clusters east and west, 1,000 Services in east) into one real etcd or
 * PostgreSQL, and a renderer `informant run` with `source.shared` (no kubeconfig, no
 * Kubernetes access) renders both clusters from there and follows changes made on the API
 * servers.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../../src/k8s.ts';
import { TestApiServer } from '../support/apiserver/index.ts';
import { startCli, type RunningCli } from '../support/cli.ts';
import { eventually } from '../support/waiters.ts';
import { SHARED_STORE_KINDS, type TestSharedStore } from '../support/shared-stores.ts';
import { writeKubeconfig } from '../kube/support/kubeconfig-file.ts';

/** Services in east: enough that listing, publishing and rendering are not a toy. */
const EAST_SERVICES = 1_000;
/** How long one step may take before the test gives up (a safety net, not a timing assertion). */
const STEP_MS = 60_000;

/** One line per Service, cluster by cluster (Clusters() is sorted), then namespace and name. */
const TEMPLATE =
  '{% for c in resources.services.Clusters() %}{% for s in resources.services.InCluster(c) %}' +
  '{{ c }} {{ s.metadata.namespace }}/{{ s.metadata.name }} {{ s.spec.ports[0].port }}\\n' +
  '{% endfor %}{% endfor %}';

function service(namespace: string, name: string, port: number): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name }, spec: { ports: [{ port }] } };
}

/** The n-th Service of east: ten namespaces, names sortable as text. */
function eastService(n: number): KubeObject {
  return service(`ns-${n % 10}`, `svc-${String(n).padStart(4, '0')}`, 10_000 + n);
}

/** What the renderer's output must be for these clusters' Services. */
function expectedOutput(clusters: Record<string, TestApiServer>): string {
  const lines: string[] = [];
  for (const cluster of Object.keys(clusters).sort()) {
    const services = clusters[cluster]!.list('services').map((s) => ({
      ns: s.metadata.namespace ?? '',
      name: s.metadata.name,
      port: (s.spec as { ports: Array<{ port: number }> }).ports[0]!.port,
    }));
    services.sort((a, b) => (a.ns === b.ns ? compare(a.name, b.name) : compare(a.ns, b.ns)));
    for (const s of services) lines.push(`${cluster} ${s.ns}/${s.name} ${s.port}\n`);
  }
  return lines.join('');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function publisherConfig(cluster: string, store: TestSharedStore): string {
  return [
    'watched_resources:',
    '  services: {api_version: v1, kind: Service, store: published}',
    'source:',
    '  kubernetes: {kubeconfig: kubeconfig}',
    'publish:',
    `  backend: ${store.backend}`,
    `  cluster: ${cluster}`,
    `  ${store.settingsYaml()}`,
    '',
  ].join('\n');
}

function rendererConfig(store: TestSharedStore): string {
  return [
    'watched_resources:',
    '  services: {api_version: v1, kind: Service}',
    'source:',
    `  shared: {backend: ${store.backend}, ${store.settingsYaml()}}`,
    'templates:',
    `  services: {inline: "${TEMPLATE}", output: out/services.txt}`,
    'render: {debounce: 50ms, max_wait: 500ms}',
    '',
  ].join('\n');
}

for (const kind of SHARED_STORE_KINDS) describe(`publishers and a renderer sharing one ${kind.name}`, { skip: kind.skip, timeout: 240_000 }, () => {
  let store: TestSharedStore;
  let east: TestApiServer;
  let west: TestApiServer;
  const dirs: string[] = [];
  const running: RunningCli[] = [];
  before(async () => {
    store = await kind.start();
    east = await TestApiServer.start({ token: 'east-token' });
    west = await TestApiServer.start({ token: 'west-token' });
  });
  after(async () => {
    for (const cli of running) await cli.stop();
    await east?.close();
    await west?.close();
    await store?.stop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  async function project(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'informant-fanout-'));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    return dir;
  }

  /** `informant run` on the project's config.yaml; stopped after the suite whatever happens. */
  function run(dir: string, env: NodeJS.ProcessEnv = {}): RunningCli {
    const cli = startCli(['run', '--config', join(dir, 'config.yaml'), '--no-watch-config'], { cwd: dir, env });
    running.push(cli);
    return cli;
  }

  async function startPublisher(cluster: string, server: TestApiServer, token: string): Promise<RunningCli> {
    const dir = await project({ 'config.yaml': publisherConfig(cluster, store) });
    writeKubeconfig(dir, server.url, { token });
    return run(dir);
  }

  /** Waits until the renderer's output is exactly what the API servers hold now. */
  async function untilRendered(output: string, clusters: Record<string, TestApiServer>, what: string): Promise<void> {
    const expected = expectedOutput(clusters);
    let last: string | undefined;
    try {
      await eventually(async () => (last = await readFile(output, 'utf8').catch(() => undefined)) === expected, what, { timeoutMs: STEP_MS });
    } catch (err) {
      const got = last === undefined ? 'no output' : `${last.split('\n').length - 1} lines, first difference at line ${firstDifference(last, expected)}`;
      const logs = running.map((cli, i) => `--- process ${i} ---\n${cli.output().slice(-3000)}`).join('\n');
      throw new Error(`${(err as Error).message} (${got})\n${logs}`, { cause: err });
    }
  }

  test('the renderer shows every object of both clusters and follows updates, deletes and creates, never asking an API server', async () => {
    for (let n = 0; n < EAST_SERVICES; n++) east.create('services', eastService(n));
    west.create('services', service('ns-0', 'svc-0000', 80)); // the same namespace/name as in east: another object
    west.create('services', service('west-only', 'api', 8080));

    const publishers = [await startPublisher('east', east, 'east-token'), await startPublisher('west', west, 'west-token')];
    const dir = await project({ 'config.yaml': rendererConfig(store) });
    // No kubeconfig anywhere: the renderer could not reach an API server if it tried.
    const renderer = run(dir, { KUBECONFIG: join(dir, 'no-such-kubeconfig'), HOME: dir, KUBERNETES_SERVICE_HOST: '' });
    const output = join(dir, 'out', 'services.txt');
    const both = { east, west };
    await untilRendered(output, both, `all ${EAST_SERVICES + 2} Services are rendered`);
    assert.equal((await readFile(output, 'utf8')).split('\n').filter((line) => line.startsWith('east ')).length, EAST_SERVICES);

    east.update('services', { ...east.get('services', 'ns-7', 'svc-0007')!, spec: { ports: [{ port: 7777 }] } });
    east.delete('services', 'ns-3', 'svc-0513');
    east.create('services', service('ns-new', 'fresh', 9999));
    west.delete('services', 'ns-0', 'svc-0000');
    await untilRendered(output, both, 'the update, the deletes and the create are rendered');
    const text = await readFile(output, 'utf8');
    assert.match(text, /^east ns-7\/svc-0007 7777$/m);
    assert.doesNotMatch(text, /svc-0513/);
    assert.match(text, /^east ns-new\/fresh 9999$/m);
    assert.match(text, /^east ns-0\/svc-0000 10000$/m, "west's delete left east's object of the same name");

    assert.equal(await renderer.stop(), 0, 'the renderer exits 0 on SIGTERM');
    for (const publisher of publishers) assert.equal(await publisher.stop(), 0, 'a publisher exits 0 on SIGTERM');
    for (const [server, token] of [[east, 'east-token'], [west, 'west-token']] as const) {
      assert.ok(server.requests.length > 0);
      const strangers = server.requests.filter((r) => r.headers.authorization !== `Bearer ${token}`);
      assert.deepEqual(strangers.map((r) => `${r.method} ${r.path}`), [], 'every request came with the publisher\'s credentials');
    }
    assert.doesNotMatch(renderer.output(), /"level":(?:50|60)/, 'the renderer logged no error');
  });
});

function firstDifference(a: string, b: string): number {
  const left = a.split('\n');
  const right = b.split('\n');
  let i = 0;
  while (i < left.length && left[i] === right[i]) i++;
  return i + 1;
}
