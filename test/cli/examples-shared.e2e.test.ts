/**
 * The scaling-out examples (examples/etcd, examples/postgres): every config passes
 * check-config, and run as shipped (only the endpoints or URL, credentials and listen
 * address swapped for test ones) a publisher fed by a test API server holding the example
 * manifests and a renderer reading the store produce exactly what `informant render` of
 * the files example produces, Secrets fetched on demand from the store included.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseManifest } from '../../src/watcher/files/index.ts';
import { TestApiServer } from '../support/apiserver/index.ts';
import { runCliInProcess, startCli, type RunningCli } from '../support/cli.ts';
import { eventually } from '../support/waiters.ts';
import { SHARED_STORE_KINDS, type TestSharedStore } from '../support/shared-stores.ts';
import { writeKubeconfig } from '../kube/support/kubeconfig-file.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const PLURALS: Record<string, string> = { Ingress: 'ingresses', Service: 'services', EndpointSlice: 'endpointslices', Secret: 'secrets' };

describe('the scaling-out example configs', () => {
  for (const example of ['etcd', 'postgres']) {
    for (const name of ['publisher.yaml', 'renderer.yaml']) {
      test(`check-config accepts examples/${example}/${name}`, async () => {
        const result = await runCliInProcess(['check-config', '--config', join(EXAMPLES, example, name)]);
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /: ok \(4 watched resources, /);
      });
    }
  }
});

for (const kind of SHARED_STORE_KINDS) describe(`the ${kind.name} example, run`, { skip: kind.skip, timeout: 120_000 }, () => {
  let store: TestSharedStore;
  let api: TestApiServer;
  const dirs: string[] = [];
  const running: RunningCli[] = [];
  before(async () => {
    store = await kind.start();
    api = await TestApiServer.start({ token: 'example-token' });
  });
  after(async () => {
    for (const cli of running) await cli.stop();
    await api?.close();
    await store?.stop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), `informant-${kind.name}-example-`));
    dirs.push(dir);
    return dir;
  }

  /** An example config as shipped, pointed at the test store, in `dir`, with its templates where they are. */
  async function testCopy(name: string, dir: string): Promise<string> {
    const text = store
      .pointAt(await readFile(join(EXAMPLES, kind.name, name), 'utf8'))
      .replace('listen: "0.0.0.0:8080"', 'listen: "127.0.0.1:0"')
      .replaceAll(/(path|import): \.\.\/templates\//g, `$1: ${join(EXAMPLES, 'templates')}/`)
      .replace(/^render:\n(?: .*\n)+/m, 'render: {debounce: 50ms, max_wait: 500ms}\n');
    assert.doesNotMatch(text, /etcd-0|postgres\.db|\/etc\/informant/, `${name}: every production endpoint and file was replaced`);
    const file = join(dir, 'config.yaml');
    await writeFile(file, text);
    return file;
  }

  async function loadExampleManifests(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        await loadExampleManifests(path);
        continue;
      }
      for (const { obj } of parseManifest(path, await readFile(path, 'utf8')).objects) {
        const plural = obj.kind ? PLURALS[obj.kind] : undefined;
        if (plural) api.create(plural, obj);
      }
    }
  }

  test(`the renderer writes what rendering the manifests writes, fetching the TLS Secrets from ${kind.name}`, async () => {
    await loadExampleManifests(join(EXAMPLES, 'manifests'));
    const expectedDir = await tempDir();
    const rendered = await runCliInProcess(['render', '--config', join(EXAMPLES, 'config.yaml'), '--out', expectedDir]);
    assert.equal(rendered.code, 0, rendered.stderr);

    const publisherDir = await tempDir();
    const kubeconfig = writeKubeconfig(publisherDir, api.url, { token: 'example-token' });
    const publisher = startCli(['run', '--config', await testCopy('publisher.yaml', publisherDir), '--kubeconfig', kubeconfig, '--no-watch-config']);
    running.push(publisher);
    const rendererDir = await tempDir();
    const renderer = startCli(['run', '--config', await testCopy('renderer.yaml', rendererDir), '--no-watch-config'], {
      env: { KUBECONFIG: join(rendererDir, 'no-such-kubeconfig'), HOME: rendererDir, KUBERNETES_SERVICE_HOST: '' },
    });
    running.push(renderer);

    for (const name of ['haproxy.cfg', 'crt-list.txt']) {
      const expected = await readFile(join(expectedDir, name), 'utf8');
      const output = join(rendererDir, 'out', name);
      await eventually(async () => (await readFile(output, 'utf8').catch(() => undefined)) === expected, `${name} is rendered as from the manifests`, { timeoutMs: 60_000 }).catch((err: Error) => {
        throw new Error(`${err.message}\n--- publisher ---\n${publisher.output().slice(-3000)}\n--- renderer ---\n${renderer.output().slice(-3000)}`);
      });
    }
    assert.match(await readFile(join(rendererDir, 'out', 'crt-list.txt'), 'utf8'), /blog_blog-tls\.pem blog\.example\.com/);
    assert.equal(await readFile(join(rendererDir, 'out', 'certs', 'blog_blog-tls.pem'), 'utf8'), await readFile(join(expectedDir, 'certs', 'blog_blog-tls.pem'), 'utf8'));
    assert.equal(await renderer.stop(), 0);
    assert.equal(await publisher.stop(), 0);
    assert.ok(api.requests.every((r) => r.headers.authorization === 'Bearer example-token'), 'only the publisher asked the API server');
    assert.ok(!api.requests.some((r) => r.method === 'GET' && /\/secrets\/[^/]+$/.test(r.path)), 'no Secret was read one by one from the API server');
  });
});
