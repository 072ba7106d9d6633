/**
 * The on-demand acceptance tests against the test API server: a KubernetesSource watching
 * Secrets as metadata only, indexers feeding a CachedStore that GETs bodies through the
 * source, and templates rendered two-pass. Each test counts the server's GET requests for
 * single Secrets.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { WatchedResourceConfig } from '../../src/config/types.ts';
import { metadataOnlyResources, sourceFetcher } from '../../src/controller/on-demand.ts';
import { Indexer } from '../../src/indexer/index.ts';
import type { KubeObject } from '../../src/k8s.ts';
import { DEFAULT_LIMITS } from '../../src/config/index.ts';
import { silentLogger } from '../../src/log.ts';
import { CachedStore } from '../../src/store/cached-store.ts';
import type { Store } from '../../src/store/index.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { RenderError, createRenderer, type Renderer } from '../../src/templates/index.ts';
import { createApiClient, type ApiClient } from '../../src/kube/index.ts';
import { KubernetesSource } from '../../src/watcher/kubernetes/index.ts';
import { TestApiServer } from '../support/apiserver/index.ts';
import { eventually } from '../support/waiters.ts';
import { FAST } from '../watcher/kubernetes/support/cluster.ts';
import { watched } from '../watcher/kubernetes/support/drive.ts';
import { tempDir, writeKubeconfig } from '../kube/support/kubeconfig-file.ts';
import { TemplateDir } from './fixtures.ts';

const dirs: TemplateDir[] = [];
after(async () => {
  for (const dir of dirs) await dir.cleanup();
});

const TOKEN = 'on-demand-token';

function tls(name: string, cert: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return {
    metadata: { namespace: 'web', name, ...extra },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': Buffer.from(cert).toString('base64'), 'tls.key': Buffer.from(`${cert} key`).toString('base64') },
  };
}

function ingress(name: string, host: string, secretName: string): KubeObject {
  return { metadata: { namespace: 'web', name }, spec: { tls: [{ hosts: [host], secretName }] } };
}

interface Options {
  secrets?: KubeObject[];
  ingresses?: KubeObject[];
  /** Overrides of the secrets resource (remove_fields, index_by). */
  secretsResource?: Partial<WatchedResourceConfig>;
  maxEntries?: number;
  ttlMs?: number;
  templates?: Record<string, string>;
  wrapClient?: (client: ApiClient) => ApiClient;
}

/** The server, the source, the two stores and a renderer over template files. */
async function onDemandCluster(options: Options) {
  const server = await TestApiServer.start({ token: TOKEN });
  for (const obj of options.secrets ?? []) server.create('secrets', obj);
  for (const obj of options.ingresses ?? []) server.create('ingresses', obj);
  const { dir: kubeDir, cleanup } = tempDir();
  const kubeconfig = writeKubeconfig(kubeDir, server.url, { token: TOKEN });
  const resources = [
    watched({ name: 'secrets', kind: 'Secret', store: 'on-demand', ...options.secretsResource }),
    watched({ name: 'ingresses', apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' }),
  ];
  const client = createApiClient({ kubeconfig });
  const source = new KubernetesSource({
    config: { kubeconfig, pageSize: 500, streamingList: false },
    resources,
    logger: silentLogger(),
    client: options.wrapClient ? options.wrapClient(client) : client,
    tuning: FAST,
    metadataOnly: metadataOnlyResources(resources),
  });
  const clock = { now: 1_000_000 };
  const secrets = new CachedStore({
    name: 'secrets',
    keyCount: resources[0]!.indexBy.length,
    fetcher: sourceFetcher(source, resources[0]!, DEFAULT_LIMITS)!,
    maxEntries: options.maxEntries ?? 64,
    ttlMs: options.ttlMs ?? 600_000,
    now: () => clock.now,
  });
  const ingresses = new MemoryStore({ name: 'ingresses', keyCount: 2 });
  const stores = new Map<string, Store>([
    ['secrets', secrets],
    ['ingresses', ingresses],
  ]);
  const indexers = new Map(resources.map((resource) => [resource.name, new Indexer({ resource, store: stores.get(resource.name)!, logger: silentLogger() })]));
  await source.start(indexers);
  await eventually(() => [...indexers.values()].every((indexer) => indexer.isSynced), 'both resources synced');
  const dir = await TemplateDir.create();
  dirs.push(dir);
  await dir.write(options.templates ?? {});
  const renderer: Renderer = createRenderer({ templates: Object.keys(options.templates ?? {}).filter((n) => !n.startsWith('_')).map((n) => dir.fileTemplate(n)), stores });
  /** GET requests for single Secrets, as namespace/name. */
  const secretGets = (): string[] =>
    server.requests.filter((r) => r.method === 'GET' && /\/secrets\/[^/]+$/.test(r.path)).map((r) => r.path.split('/').slice(-3).join('/').replace('/secrets/', '/'));
  return {
    server,
    source,
    secrets,
    clock,
    renderer,
    secretGets,
    close: async () => {
      await source.stop();
      client.close();
      await server.close();
      cleanup();
    },
  };
}

const MACROS = `{% macro pem(s) %}{{ s.data["tls.crt"] | b64decode }}+{{ s.data["tls.key"] | b64decode }}{% endmacro %}
{% macro cert_of(ns, name) %}{{ pem(resources.secrets.GetSingle(ns, name)) }}{% endmacro %}`;

const CERTS = `{% import "_macros.njk" as m with context %}
{% for ing in resources.ingresses %}
{% set found = resources.secrets.Fetch(ing.metadata.namespace, ing.spec.tls[0].secretName) %}
{% if found | length == 0 %}{{ fail("no secret " ~ ing.spec.tls[0].secretName) }}{% endif %}
{{ ing.spec.tls[0].hosts[0] }} {{ found[0].data["tls.crt"] | b64decode }} {{ m.cert_of(ing.metadata.namespace, ing.spec.tls[0].secretName) }}
{% endfor %}`;

const CERTS_OUT = `api.example.com API API+API key
shop.example.com SHOP SHOP+SHOP key
www.shop.example.com SHOP SHOP+SHOP key
`;

const STANDARD: Options = {
  secrets: [tls('shop-tls', 'SHOP'), tls('api-tls', 'API'), tls('unused', 'UNUSED')],
  ingresses: [ingress('shop', 'shop.example.com', 'shop-tls'), ingress('shop-www', 'www.shop.example.com', 'shop-tls'), ingress('api', 'api.example.com', 'api-tls')],
  templates: { '_macros.njk': MACROS, 'certs.njk': CERTS, 'again.njk': CERTS },
};

describe('on-demand Secrets from the test API server', () => {
  test('Secrets are watched as metadata only: the store holds references, no Secret data', async () => {
    const c = await onDemandCluster(STANDARD);
    try {
      const accepts = c.server.requests.filter((r) => r.path.endsWith('/secrets')).map((r) => String(r.headers.accept));
      assert.ok(accepts.length > 0 && accepts.every((a) => a.startsWith('application/json;as=PartialObjectMetadata')), accepts.join(' | '));
      assert.deepEqual(
        c.secrets.list().map((ref) => Object.keys(ref).join() + ':' + Object.keys(ref.metadata).sort().join()),
        Array(3).fill('metadata:name,namespace,resourceVersion,uid'),
      );
    } finally {
      await c.close();
    }
  });

  test('a cold-cache render GETs each referenced Secret once: several references, a macro, two renders at once', async () => {
    const c = await onDemandCluster(STANDARD);
    try {
      const [certs, again] = await Promise.all([c.renderer.render('certs.njk'), c.renderer.render('again.njk')]);
      assert.equal(certs, CERTS_OUT);
      assert.equal(again, CERTS_OUT);
      assert.deepEqual(c.secretGets().sort(), ['web/api-tls', 'web/shop-tls']);
    } finally {
      await c.close();
    }
  });

  test('a warm render sends no request', async () => {
    const c = await onDemandCluster(STANDARD);
    try {
      await c.renderer.render('certs.njk');
      const requests = c.server.requests.length;
      assert.equal(await c.renderer.render('certs.njk'), CERTS_OUT);
      assert.equal(c.server.requests.length, requests);
    } finally {
      await c.close();
    }
  });

  test('a Secret modified on the server shows up in the next render', async () => {
    const c = await onDemandCluster(STANDARD);
    try {
      await c.renderer.render('certs.njk');
      const before = c.secrets.modCount;
      c.server.update('secrets', tls('api-tls', 'API-ROTATED'));
      await eventually(() => c.secrets.modCount !== before, 'the watch delivered the change');
      assert.match(await c.renderer.render('certs.njk'), /^api\.example\.com API-ROTATED API-ROTATED\+API-ROTATED key$/m);
      assert.deepEqual(c.secretGets().sort(), ['web/api-tls', 'web/api-tls', 'web/shop-tls']);
    } finally {
      await c.close();
    }
  });

  test('a body whose TTL expired is fetched again', async () => {
    const c = await onDemandCluster({ ...STANDARD, ttlMs: 60_000 });
    try {
      await c.renderer.render('certs.njk');
      c.clock.now += 59_000;
      await c.renderer.render('certs.njk');
      assert.equal(c.secretGets().length, 2);
      c.clock.now += 1_001;
      assert.equal(await c.renderer.render('certs.njk'), CERTS_OUT);
      assert.equal(c.secretGets().length, 4);
    } finally {
      await c.close();
    }
  });

  test('the cache holds at most max_cache_size bodies while renders read more', async () => {
    const secrets = Array.from({ length: 5 }, (_, i) => tls(`s${i}`, `C${i}`));
    const all = '{% for i in range(5) %}{{ resources.secrets.GetSingle("web", "s" ~ i).data["tls.crt"] | b64decode }} {% endfor %}';
    const c = await onDemandCluster({ secrets, maxEntries: 2, templates: { 'all.njk': all } });
    try {
      assert.equal(await c.renderer.render('all.njk'), 'C0 C1 C2 C3 C4 ');
      assert.equal(c.secretGets().length, 5);
      assert.ok(c.secrets.stats().entries <= 2, `entries: ${c.secrets.stats().entries}`);
      assert.equal(await c.renderer.render('all.njk'), 'C0 C1 C2 C3 C4 ');
      assert.ok(c.secrets.stats().entries <= 2);
    } finally {
      await c.close();
    }
  });

  test('a three-level chain of dependent lookups resolves in one render call', async () => {
    const next = (name: string, to: string): KubeObject => ({ metadata: { namespace: 'web', name }, data: { next: Buffer.from(to).toString('base64') } });
    const chain = `{% set a = resources.secrets.GetSingle("web", "a") %}
{% set b = resources.secrets.GetSingle("web", a.data.next | b64decode) %}
{% set z = resources.secrets.GetSingle("web", b.data.next | b64decode) %}
{{ z.data.next | b64decode }}`;
    const c = await onDemandCluster({ secrets: [next('a', 'b'), next('b', 'c'), next('c', 'done')], templates: { 'chain.njk': chain } });
    try {
      assert.equal(await c.renderer.render('chain.njk'), 'done');
      assert.deepEqual(c.secretGets(), ['web/a', 'web/b', 'web/c']);
    } finally {
      await c.close();
    }
  });

  test('remove_fields applies to fetched objects', async () => {
    const secret = tls('shop-tls', 'SHOP', { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":true}', keep: 'me' } });
    const text = `{{ resources.secrets.GetSingle("web", "shop-tls").metadata.annotations | dump }} {{ resources.secrets.GetSingle("web", "shop-tls").type is defined }}`;
    const c = await onDemandCluster({
      secrets: [secret],
      secretsResource: { removeFields: ["metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']", 'type'] },
      templates: { 'strip.njk': text },
    });
    try {
      assert.equal(await c.renderer.render('strip.njk'), '{"keep":"me"} false');
    } finally {
      await c.close();
    }
  });

  test('a GET the server forbids fails the render, naming the resource and the object', async () => {
    const c = await onDemandCluster(STANDARD);
    try {
      c.server.faults.permanentStatus(403, { resource: 'secrets', verb: 'get' });
      await assert.rejects(c.renderer.render('certs.njk'), (err: unknown) => {
        assert.ok(err instanceof RenderError);
        assert.match(err.message, /certs\.njk:3:\d+: resources\.secrets\.Fetch\("web", "(api|shop)-tls"\): fetching web\/(api|shop)-tls failed: forbidden: cannot get secrets web\/(api|shop)-tls/);
        return true;
      });
      c.server.faults.permanentStatus(undefined);
      assert.equal(await c.renderer.render('certs.njk'), CERTS_OUT, 'the next render tries again');
    } finally {
      await c.close();
    }
  });

  test('a server that refuses metadata-only lists sends full objects; the store still keeps references only', async () => {
    const fullOnly = (client: ApiClient): ApiClient => ({
      request: (path, query, options) => client.request(path, query, { ...options, accept: 'application/json' }),
      close: () => client.close(),
    });
    const c = await onDemandCluster({ ...STANDARD, wrapClient: fullOnly });
    try {
      const accepts = c.server.requests.filter((r) => r.path.endsWith('/secrets')).map((r) => String(r.headers.accept));
      assert.ok(accepts.every((a) => a === 'application/json'), accepts.join(' | '));
      assert.ok(c.secrets.list().every((ref) => Object.keys(ref).join() === 'metadata' && ref.metadata.uid !== undefined));
      assert.equal(await c.renderer.render('certs.njk'), CERTS_OUT);
      assert.equal(c.secretGets().length, 2);
    } finally {
      await c.close();
    }
  });

  test('Secrets indexed by a field outside metadata are watched in full and indexed before their bodies are dropped', async () => {
    const c = await onDemandCluster({
      ...STANDARD,
      secrets: [...STANDARD.secrets!, { metadata: { namespace: 'web', name: 'token' }, type: 'Opaque', data: {} }],
      secretsResource: { indexBy: ['type', 'metadata.name'] },
      templates: { 'types.njk': '{% for s in resources.secrets.Fetch("kubernetes.io/tls") %}{{ s.metadata.name }}={{ s.data["tls.crt"] | b64decode }} {% endfor %}' },
    });
    try {
      const accepts = c.server.requests.filter((r) => r.path.endsWith('/secrets')).map((r) => String(r.headers.accept));
      assert.ok(accepts.every((a) => a === 'application/json'), accepts.join(' | '));
      assert.deepEqual(c.secrets.get('Opaque').map((ref) => ref.metadata.name), ['token']);
      assert.ok(c.secrets.list().every((ref) => Object.keys(ref).join() === 'metadata'));
      assert.equal(await c.renderer.render('types.njk'), 'api-tls=API shop-tls=SHOP unused=UNUSED ');
    } finally {
      await c.close();
    }
  });
});
