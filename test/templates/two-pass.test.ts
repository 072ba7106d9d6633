/**
 * The two-pass render over an on-demand store (a CachedStore over a fake fetcher that
 * counts GETs). The Kubernetes-backed versions of the acceptance tests are in
 * two-pass-kubernetes.test.ts.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/k8s.ts';
import { CachedStore, type CachedStoreOptions } from '../../src/store/cached-store.ts';
import type { Store } from '../../src/store/index.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { RenderError, ResourceError, UnresolvedFetchError, createRenderer } from '../../src/templates/index.ts';
import { FakeFetcher, secret } from '../store/fake-fetcher.ts';
import { eventually } from '../support/waiters.ts';
import { TemplateDir, inlineRenderer } from './fixtures.ts';

const dirs: TemplateDir[] = [];
after(async () => {
  for (const dir of dirs) await dir.cleanup();
});

function ingress(namespace: string, name: string, host: string, secretName: string): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { namespace, name },
    spec: { tls: [{ hosts: [host], secretName }] },
  };
}

/** Ingresses (full store) naming TLS Secrets (on-demand store over a FakeFetcher). */
function cluster(options: Partial<CachedStoreOptions> = {}) {
  const fetcher = new FakeFetcher();
  const clock = { now: 1_000_000 };
  const secrets = new CachedStore({ name: 'secrets', keyCount: 2, fetcher, maxEntries: 64, ttlMs: 600_000, now: () => clock.now, ...options });
  const ingresses = new MemoryStore({ name: 'ingresses', keyCount: 2 });
  const stores = new Map<string, Store>([
    ['ingresses', ingresses],
    ['secrets', secrets],
  ]);
  /** Creates or changes a Secret: on the "server", and its reference, as a watch event would. */
  const putSecret = (obj: KubeObject): void => {
    fetcher.put(obj);
    secrets.update(structuredClone(obj), [obj.metadata.namespace!, obj.metadata.name]);
  };
  const putIngress = (obj: KubeObject): void => ingresses.update(obj, [obj.metadata.namespace!, obj.metadata.name]);
  return { fetcher, clock, secrets, ingresses, stores, putSecret, putIngress };
}

function tlsSecret(namespace: string, name: string, cert: string, rv = '1'): KubeObject {
  return secret(namespace, name, rv, { 'tls.crt': Buffer.from(cert).toString('base64') });
}

/** Three Ingresses, two of them sharing a Secret; one Secret nobody names. */
function webCluster(options: Partial<CachedStoreOptions> = {}) {
  const c = cluster(options);
  c.putSecret(tlsSecret('web', 'shop-tls', 'SHOP'));
  c.putSecret(tlsSecret('web', 'api-tls', 'API'));
  c.putSecret(tlsSecret('web', 'unused', 'UNUSED'));
  c.putIngress(ingress('web', 'shop', 'shop.example.com', 'shop-tls'));
  c.putIngress(ingress('web', 'shop-www', 'www.shop.example.com', 'shop-tls'));
  c.putIngress(ingress('web', 'api', 'api.example.com', 'api-tls'));
  return c;
}

const CERT_LIST = `{% for ing in resources.ingresses %}
{% set found = resources.secrets.Fetch(ing.metadata.namespace, ing.spec.tls[0].secretName) %}
{{ ing.spec.tls[0].hosts[0] }} {{ found[0].data["tls.crt"] | b64decode }}
{% endfor %}
first again: {{ resources.secrets.GetSingle("web", "shop-tls").data["tls.crt"] | b64decode }}
`;

const EXPECTED = `api.example.com API
shop.example.com SHOP
www.shop.example.com SHOP
first again: SHOP
`;

describe('two-pass render of on-demand objects', () => {
  test('a cold-cache render fetches each referenced Secret exactly once, however often it is read', async () => {
    const c = webCluster();
    const renderer = inlineRenderer({ certs: CERT_LIST }, { stores: c.stores });
    assert.equal(await renderer.render('certs'), EXPECTED);
    assert.deepEqual(c.fetcher.gets.map((g) => `${g.namespace}/${g.name}`).sort(), ['web/api-tls', 'web/shop-tls']);
  });

  test('a trace hears the resources a render read and the on-demand bodies it was handed, also when it fails', async () => {
    const c = webCluster();
    const renderer = inlineRenderer({ certs: CERT_LIST, failing: `{{ resources.secrets.GetSingle("web", "api-tls").data.nope | b64decode }}` }, { stores: c.stores });
    const trace = { resources: new Set<string>(), fetched: [] as KubeObject[] };
    await renderer.render('certs', trace);
    assert.deepEqual([...trace.resources].sort(), ['ingresses', 'secrets']);
    assert.deepEqual(trace.fetched.map((o) => o.metadata.name).sort(), ['api-tls', 'shop-tls'], 'the bodies, never the unread Secret');
    const failed = { resources: new Set<string>(), fetched: [] as KubeObject[] };
    await assert.rejects(renderer.render('failing', failed), RenderError);
    assert.deepEqual([...failed.resources], ['secrets']);
    assert.deepEqual(failed.fetched.map((o) => o.metadata.name), ['api-tls']);
  });

  test('a Secret read only inside a macro of an imported file is fetched once and rendered', async () => {
    const c = webCluster();
    const dir = await TemplateDir.create();
    dirs.push(dir);
    await dir.write({
      'macros.njk': `{% macro cert(ns, name) %}{{ resources.secrets.GetSingle(ns, name).data["tls.crt"] | b64decode }}{% endmacro %}`,
      'main.njk': `{% import "macros.njk" as m with context %}{% for ing in resources.ingresses %}{{ m.cert(ing.metadata.namespace, ing.spec.tls[0].secretName) }};{% endfor %}`,
    });
    const renderer = createRenderer({ templates: [dir.fileTemplate('main.njk')], stores: c.stores });
    assert.equal(await renderer.render('main.njk'), 'API;SHOP;SHOP;');
    assert.equal(c.fetcher.count('web/shop-tls'), 1);
    assert.equal(c.fetcher.count('web/api-tls'), 1);
  });

  test('two renders running at once share the GETs and render the same output', async () => {
    const c = webCluster();
    c.fetcher.hold();
    const renderer = inlineRenderer({ a: CERT_LIST, b: CERT_LIST }, { stores: c.stores });
    const both = Promise.all([renderer.render('a'), renderer.render('b')]);
    await eventually(() => c.fetcher.waiting >= 2, 'both GETs are in flight', { intervalMs: 0 });
    c.fetcher.release();
    assert.deepEqual(await both, [EXPECTED, EXPECTED]);
    assert.equal(c.fetcher.count(), 2);
  });

  test('a warm render sends no request and misses nothing', async () => {
    const c = webCluster();
    const renderer = inlineRenderer({ certs: CERT_LIST }, { stores: c.stores });
    await renderer.render('certs');
    const { misses } = c.secrets.stats();
    assert.equal(await renderer.render('certs'), EXPECTED);
    assert.equal(c.fetcher.count(), 2);
    assert.equal(c.secrets.stats().misses, misses);
  });

  test('a Secret changed by a watch event shows up in the next render', async () => {
    const c = webCluster();
    const renderer = inlineRenderer({ certs: CERT_LIST }, { stores: c.stores });
    await renderer.render('certs');
    c.putSecret(tlsSecret('web', 'api-tls', 'API v2', '2'));
    assert.match(await renderer.render('certs'), /^api\.example\.com API v2$/m);
    assert.equal(c.fetcher.count('web/api-tls'), 2);
    assert.equal(c.fetcher.count('web/shop-tls'), 1);
  });

  test('a body whose TTL expired is fetched again by the next render', async () => {
    const c = webCluster({ ttlMs: 60_000 });
    const renderer = inlineRenderer({ certs: CERT_LIST }, { stores: c.stores });
    await renderer.render('certs');
    c.clock.now += 30_000;
    await renderer.render('certs');
    assert.equal(c.fetcher.count(), 2);
    c.clock.now += 30_001;
    assert.equal(await renderer.render('certs'), EXPECTED);
    assert.equal(c.fetcher.count(), 4);
  });

  test('a render reading more Secrets than the cache holds still completes; the cache stays within its bound', async () => {
    const c = cluster({ maxEntries: 2 });
    for (let i = 0; i < 6; i++) c.putSecret(tlsSecret('web', `s${i}`, `C${i}`));
    const renderer = inlineRenderer(
      { all: '{% for i in range(6) %}{{ resources.secrets.GetSingle("web", "s" ~ i).data["tls.crt"] | b64decode }} {% endfor %}' },
      { stores: c.stores },
    );
    assert.equal(await renderer.render('all'), 'C0 C1 C2 C3 C4 C5 ');
    assert.equal(c.fetcher.count(), 6);
    assert.ok(c.secrets.stats().entries <= 2);
  });

  test('a three-level chain of lookups that depend on fetched data resolves within the pass limit', async () => {
    const c = cluster();
    c.putSecret(secret('web', 'a', '1', { next: 'b' }));
    c.putSecret(secret('web', 'b', '1', { next: 'c' }));
    c.putSecret(secret('web', 'c', '1', { value: 'end of the chain' }));
    const chain = `{% set a = resources.secrets.GetSingle("web", "a") %}
{% set b = resources.secrets.GetSingle("web", a.data.next) %}
{% set c = resources.secrets.Fetch("web", b.data.next)[0] %}
{{ c.data.value }}`;
    assert.equal(await inlineRenderer({ chain }, { stores: c.stores }).render('chain'), 'end of the chain');
    assert.equal(c.fetcher.count(), 3);

    const shallow = cluster();
    for (const s of c.fetcher.objects.values()) shallow.putSecret(s);
    const limited = createRenderer({
      templates: [{ name: 'chain', inline: chain, output: '/nonexistent/chain', mode: 0o644 }],
      stores: shallow.stores,
      maxFetchPasses: 3,
    });
    await assert.rejects(limited.render('chain'), (err: unknown) => {
      assert.ok(err instanceof RenderError);
      assert.ok(err.cause instanceof UnresolvedFetchError);
      assert.match(err.message, /^<inline:chain>: on-demand objects still missing after 3 render passes: secrets web\/c \(/);
      return true;
    });
  });

  test('a failed fetch fails the render at the call, naming the resource, the object and the cause', async () => {
    const c = webCluster();
    c.fetcher.failures.set('web/api-tls', new Error('forbidden: cannot get secrets web/api-tls; grant get (RBAC)'));
    const renderer = inlineRenderer({ certs: CERT_LIST }, { stores: c.stores });
    await assert.rejects(renderer.render('certs'), (err: unknown) => {
      assert.ok(err instanceof RenderError);
      assert.equal(
        err.message,
        '<inline:certs>:2:34: resources.secrets.Fetch("web", "api-tls"): fetching web/api-tls failed: forbidden: cannot get secrets web/api-tls; grant get (RBAC)',
      );
      assert.ok(err.cause instanceof ResourceError);
      return true;
    });
    c.fetcher.failures.clear();
    assert.equal(await renderer.render('certs'), EXPECTED, 'the next render tries again');
  });

  test('a referenced object the server no longer has reads as absent', async () => {
    const c = cluster();
    c.secrets.add(secret('web', 'ghost', '4'), ['web', 'ghost']);
    const text = '[{{ resources.secrets.Fetch("web", "ghost") | length }}] [{{ resources.secrets.GetSingle("web", "ghost") is none }}] [{{ resources.secrets | length }}]';
    assert.equal(await inlineRenderer({ t: text }, { stores: c.stores }).render('t'), '[0] [true] [0]');
    assert.equal(c.fetcher.count(), 1);
  });

  test('keys nothing is filed under fetch nothing, and GetSingle with several matches fails without fetching', async () => {
    const c = webCluster();
    const renderer = inlineRenderer(
      { none: '{{ resources.secrets.Fetch("nope") | length }} {{ resources.secrets.GetSingle("web", "nope") is none }}', several: '{{ resources.secrets.GetSingle("web") }}' },
      { stores: c.stores },
    );
    assert.equal(await renderer.render('none'), '0 true');
    await assert.rejects(renderer.render('several'), /resources\.secrets\.GetSingle\("web"\): 3 objects match, expected at most one: web\/api-tls, web\/shop-tls, web\/unused/);
    assert.equal(c.fetcher.count(), 0);
  });

  test('iterating a whole on-demand store fetches every object, sorted, and is counted as a full read', async () => {
    const c = webCluster();
    const text = '{% for s in resources.secrets %}{{ s.metadata.name }}={{ s.data["tls.crt"] | b64decode }} {% endfor %}{{ resources.secrets.List() | length }}';
    assert.equal(await inlineRenderer({ t: text }, { stores: c.stores }).render('t'), 'api-tls=API shop-tls=SHOP unused=UNUSED 3');
    assert.equal(c.fetcher.count(), 3);
    assert.equal(c.secrets.stats().fullReads, 1);
  });

  test('calling Fetch on an on-demand view does not read the whole store', async () => {
    const c = webCluster();
    await inlineRenderer({ t: '{% set v = resources.secrets %}{{ v.Fetch("web", "api-tls")[0].metadata.name }}' }, { stores: c.stores }).render('t');
    assert.equal(c.fetcher.count(), 1);
    assert.equal(c.secrets.stats().fullReads, 0);
  });

  test('a template error is reported only once the objects it needed are fetched, and then with its position', async () => {
    const c = webCluster();
    const text = '{{ resources.secrets.GetSingle("web", "api-tls").data["tls.crt"] | b64decode }}\n{{ resources.secrets.GetSingle("web", "api-tls").data.missing.field }}';
    await assert.rejects(inlineRenderer({ t: text }, { stores: c.stores }).render('t'), (err: unknown) => {
      assert.ok(err instanceof RenderError);
      assert.equal(err.line, 2);
      assert.match(err.reason, /missing/);
      return true;
    });
    assert.equal(c.fetcher.count(), 1);
  });

  test('placeholders keep a discovery pass going through filters, method calls, loops and tests', async () => {
    const c = cluster();
    c.putSecret(secret('web', 'conf', '1', { hosts: 'YSxi', port: 'ODA=' }));
    c.putSecret(secret('web', 'other', '1', { v: 'eA==' }));
    const text = `{% set conf = resources.secrets.GetSingle("web", "conf") %}
{% for h in (conf.data.hosts | b64decode).split(",") %}{{ h | upper }}:{{ conf.data.port | b64decode | int + 1 }},{% endfor %}
|{% if conf.data.hosts and "hosts" in conf.data %}present{% endif %}
|{{ resources.secrets.GetSingle("web", "other").data.v | b64decode }}`;
    c.fetcher.hold();
    const rendering = inlineRenderer({ t: text }, { stores: c.stores }).render('t');
    await eventually(() => c.fetcher.waiting >= 2, 'both GETs are in flight', { intervalMs: 0 });
    assert.equal(c.fetcher.waiting, 2, 'the first pass found both Secrets');
    c.fetcher.release();
    assert.equal(await rendering, 'A:81,B:81,|present|x');
  });

  test('stores that keep whole objects render in one pass, as before', async () => {
    const c = webCluster();
    const renderer = inlineRenderer({ t: '{% for i in resources.ingresses %}{{ i.metadata.name }} {% endfor %}' }, { stores: c.stores });
    assert.equal(await renderer.render('t'), 'api shop shop-www ');
    assert.equal(c.fetcher.count(), 0);
  });
});
