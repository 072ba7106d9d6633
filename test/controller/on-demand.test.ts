/**
 * `store: on-demand` through the whole controller: the default registry builds a
 * CachedStore whose fetcher is the source's (Kubernetes or manifests), the example config
 * renders the same offline as with full stores, and a failing fetch keeps the last good
 * output in place.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, parseConfig } from '../../src/config/index.ts';
import type { Config } from '../../src/config/types.ts';
import { Controller } from '../../src/controller/controller.ts';
import { metadataOnlyResources } from '../../src/controller/on-demand.ts';
import { createDefaultRegistry } from '../../src/controller/registry.ts';
import { silentLogger } from '../../src/log.ts';
import { CachedStore } from '../../src/store/cached-store.ts';
import { TestApiServer } from '../support/apiserver/index.ts';
import { writeKubeconfig } from '../kube/support/kubeconfig-file.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'informant-on-demand-'));
  dirs.push(dir);
  return dir;
}

/** Renders every template of `config` once (as `informant render` does) and returns the outputs. */
async function renderOnce(config: Config, scrape?: (metrics: string) => void): Promise<Map<string, string>> {
  const controller = new Controller({ config, logger: silentLogger(), watch: false });
  await controller.start();
  try {
    await controller.waitForSync();
    const outputs = new Map<string, string>();
    const outcomes = await controller.renderAll({ kind: 'callback', write: (template, content) => outputs.set(template.name, content) });
    for (const outcome of outcomes) assert.equal(outcome.error, undefined, `${outcome.template}: ${outcome.error?.message}`);
    scrape?.((await controller.metrics.scrape()).body);
    return outputs;
  } finally {
    await controller.stop();
  }
}

describe('on-demand stores in the controller', () => {
  test('the default registry offers full, on-demand and published stores (and etcd, its former name)', () => {
    assert.deepEqual(createDefaultRegistry().names(), ['full', 'on-demand', 'published', 'etcd']);
  });

  test('the example config, with its Secrets on demand, renders offline exactly as with every Secret in memory', async () => {
    const onDemand = await loadConfig(resolve('examples/config.yaml'));
    assert.equal(onDemand.watchedResources.find((r) => r.name === 'secrets')?.store, 'on-demand');
    const full = { ...onDemand, watchedResources: onDemand.watchedResources.map((r) => ({ ...r, store: 'full' })) };
    const expected = await renderOnce(full);
    let metrics = '';
    assert.deepEqual(await renderOnce(onDemand, (text) => (metrics = text)), expected);
    const fetches = Number(/^informant_store_cache_fetches_total\{resource="secrets"\} (\d+)$/m.exec(metrics)?.[1]);
    assert.ok(fetches > 0, 'the Secrets were fetched on demand');
    assert.match(metrics, new RegExp(`^informant_store_cache_entries\\{resource="secrets"\\} ${fetches}$`, 'm'));
    assert.match(metrics, /^informant_store_cache_evictions_total\{resource="secrets"\} 0$/m);
    assert.match(expected.get('crt-list.txt') ?? '', /\.pem /);
  });

  test('only on-demand resources whose index keys read metadata are watched as metadata only', () => {
    const config = parseConfig(`
watched_resources:
  secrets: {api_version: v1, kind: Secret, store: on-demand}
  typed: {api_version: v1, kind: Secret, store: on-demand, index_by: [type, metadata.name]}
  labelled: {api_version: v1, kind: ConfigMap, store: on-demand, index_by: ["metadata.labels['app']"]}
  services: {api_version: v1, kind: Service}
source: {files: {path: .}}
templates: {t: {inline: "", output: out.txt}}
`);
    assert.deepEqual(metadataOnlyResources(config.watchedResources), ['secrets', 'labelled']);
  });

  test('against an API server: Secrets are fetched on demand, and a forbidden GET keeps the last good output', async () => {
    const server = await TestApiServer.start({ token: 'ctl' });
    const dir = await tempDir();
    try {
      server.create('secrets', { metadata: { namespace: 'web', name: 'tls' }, data: { 'tls.crt': Buffer.from('CERT').toString('base64') } });
      server.create('ingresses', { metadata: { namespace: 'web', name: 'shop' }, spec: { tls: [{ secretName: 'tls' }] } });
      const kubeconfig = writeKubeconfig(dir, server.url, { token: 'ctl' });
      await writeFile(
        join(dir, 'certs.njk'),
        '{% for i in resources.ingresses %}{{ i.metadata.name }}: {{ resources.secrets.GetSingle(i.metadata.namespace, i.spec.tls[0].secretName).data["tls.crt"] | b64decode }}\n{% endfor %}',
      );
      const config = parseConfig(
        `
watched_resources:
  ingresses: {api_version: networking.k8s.io/v1, kind: Ingress}
  secrets: {api_version: v1, kind: Secret, store: on-demand, max_cache_size: 8}
source: {kubernetes: {kubeconfig: ${JSON.stringify(kubeconfig)}, streaming_list: false}}
templates:
  certs: {path: certs.njk, output: out/certs.txt}
`,
        join(dir, 'config.yaml'),
      );
      const controller = new Controller({ config, logger: silentLogger(), watch: false });
      await controller.start();
      try {
        await controller.waitForSync();
        assert.ok(controller.stores.get('secrets') instanceof CachedStore);
        const [first] = await controller.renderAll();
        assert.equal(first?.status, 'written', first?.error?.message);
        const output = join(dir, 'out', 'certs.txt');
        assert.equal(await readFile(output, 'utf8'), 'shop: CERT\n');
        const accepts = server.requests.filter((r) => r.path.endsWith('/secrets')).map((r) => String(r.headers.accept));
        assert.ok(accepts.every((a) => a.includes('as=PartialObjectMetadata')), accepts.join(' | '));

        server.faults.permanentStatus(403, { resource: 'secrets', verb: 'get' });
        server.update('secrets', { metadata: { namespace: 'web', name: 'tls' }, data: { 'tls.crt': Buffer.from('NEW').toString('base64') } });
        const store = controller.stores.get('secrets')!;
        const before = store.modCount;
        for (let i = 0; i < 3000 && store.modCount === before; i++) await new Promise((r) => setTimeout(r, 5));
        assert.notEqual(store.modCount, before, 'the watch delivered the change');
        const [second] = await controller.renderAll();
        assert.equal(second?.status, 'failed');
        assert.equal(second?.stage, 'render');
        assert.match(second?.error?.message ?? '', /resources\.secrets\.GetSingle\("web", "tls"\): fetching web\/tls failed: forbidden/);
        assert.equal(await readFile(output, 'utf8'), 'shop: CERT\n', 'the last good output stays');
      } finally {
        await controller.stop();
      }
    } finally {
      await server.close();
    }
  });
});
