import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../../src/k8s.ts';
import { parseManifest } from '../../src/watcher/files/index.ts';
import { TestApiServer } from '../support/apiserver/index.ts';
import { runCliInProcess, startCli, type RunningCli } from '../support/cli.ts';
import { eventually } from '../support/waiters.ts';
import { writeKubeconfig } from '../kube/support/kubeconfig-file.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLES = join(ROOT, 'examples');

const dirs: string[] = [];
const running: RunningCli[] = [];
after(async () => {
  for (const cli of running) await cli.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'informant-run-'));
  dirs.push(dir);
  return dir;
}

/** The root config.yaml with its source replaced and its paths pointing at the examples. */
async function exampleConfig(dir: string, source: string): Promise<string> {
  const text = (await readFile(join(ROOT, 'config.yaml'), 'utf8'))
    .replace(/^source:\n(?: .*\n)+/m, `source:\n${source}`)
    .replaceAll(/(path|import): examples\/templates\//g, `$1: ${join(EXAMPLES, 'templates')}/`)
    .replace(/^render:\n(?: .*\n)+/m, 'render:\n  debounce: 50ms\n  max_wait: 500ms\n');
  const file = join(dir, 'config.yaml');
  await writeFile(file, text);
  return file;
}

async function readOutput(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

/** Every object of the example manifests. */
async function exampleObjects(): Promise<KubeObject[]> {
  const objects: KubeObject[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else objects.push(...parseManifest(path, await readFile(path, 'utf8')).objects.map((o) => o.obj));
    }
  };
  await walk(join(EXAMPLES, 'manifests'));
  return objects;
}

/** Loads the example objects into `server`; returns a project folder whose config watches it. */
async function clusterProject(server: TestApiServer): Promise<{ dir: string; config: string }> {
  for (const obj of await exampleObjects()) {
    const plural = obj.kind ? PLURALS[obj.kind] : undefined;
    if (plural) server.create(plural, obj);
  }
  const dir = await tempDir();
  const kubeconfig = writeKubeconfig(dir, server.url, { token: 'e2e-token' });
  const config = await exampleConfig(dir, `  kubernetes:\n    kubeconfig: ${relative(dir, kubeconfig)}\n`);
  return { dir, config };
}

const PLURALS: Record<string, string> = {
  Ingress: 'ingresses',
  Service: 'services',
  EndpointSlice: 'endpointslices',
  Secret: 'secrets',
};

describe('informant run', () => {
  test('renders the examples from a folder and re-renders when a manifest changes', async () => {
    const dir = await tempDir();
    await cp(join(EXAMPLES, 'manifests'), join(dir, 'manifests'), { recursive: true });
    const config = await exampleConfig(dir, '  files:\n    path: manifests\n');
    const cli = startCli(['run', '--config', config]);
    running.push(cli);
    const output = join(dir, 'out', 'haproxy.cfg');
    const first = await eventually(() => readOutput(output), 'haproxy.cfg is written');
    assert.match(first, /backend shop_storefront_http/);
    assert.match(cli.output(), /watching for changes/);

    const services = join(dir, 'manifests', 'shop', 'services.yaml');
    await writeFile(services, (await readFile(services, 'utf8')).replaceAll('storefront', 'storefront2'));
    const second = await eventually(async () => {
      const text = await readOutput(output);
      return text !== first ? text : undefined;
    }, 'haproxy.cfg changes after the manifest edit');
    assert.notEqual(second, first);
    assert.equal(await cli.stop(), 0, 'SIGTERM exits 0');
  });

  test('renders from a Kubernetes API server and follows a change made there', async () => {
    const server = await TestApiServer.start({ token: 'e2e-token' });
    try {
      const { dir, config } = await clusterProject(server);
      const cli = startCli(['run', '--config', config]);
      running.push(cli);
      const output = join(dir, 'out', 'haproxy.cfg');
      const first = await eventually(() => readOutput(output), 'haproxy.cfg is written');
      assert.match(first, /backend shop_storefront_http/);
      assert.doesNotMatch(first, /backend shop_checkout_http\n(?: {4}.*\n)*? {4}server /, 'checkout starts without ready endpoints');

      const slice = server.list('endpointslices').find((s) => s.metadata.name.startsWith('checkout'));
      assert.ok(slice, 'the example has a checkout EndpointSlice');
      const endpoints = (slice.endpoints as Array<{ conditions?: { ready?: boolean } }>).map((e) => ({
        ...e,
        conditions: { ...e.conditions, ready: true },
      }));
      server.update('endpointslices', { ...slice, endpoints });
      const second = await eventually(async () => {
        const text = await readOutput(output);
        return text !== first ? text : undefined;
      }, 'haproxy.cfg changes after the server-side update');
      assert.match(second, /backend shop_checkout_http\n(?: {4}.*\n)*? {4}server /);
      assert.equal(await cli.stop(), 0, 'SIGTERM exits 0');
      assert.ok(server.requests.some((r) => r.query.get('watch') === 'true' || r.query.get('watch') === '1'), 'it watched');
    } finally {
      await server.close();
    }
  });

  test('render fetches on-demand Secrets from the API server before it stops watching', async () => {
    const server = await TestApiServer.start({ token: 'e2e-token' });
    try {
      const { dir, config } = await clusterProject(server);
      assert.match(await readFile(config, 'utf8'), /store: on-demand/, 'the example keeps Secrets on demand');
      const result = await runCliInProcess(['render', '--config', config, '--out', '-']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^certs\/blog_blog-tls\.pem blog\.example\.com$/m);
      assert.match(result.stdout, /^==> certs\/blog_blog-tls\.pem <==\n-----BEGIN CERTIFICATE-----\n/m, 'the PEM files are rendered from the fetched Secrets');
      const gets = server.requests.filter((r) => r.method === 'GET' && /\/secrets\/[^/]+$/.test(r.path));
      assert.ok(gets.length > 0, 'Secrets were read one by one');
    } finally {
      await server.close();
    }
  });
});
