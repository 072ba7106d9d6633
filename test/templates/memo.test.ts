/**
 * `{% memo %}` blocks: results reused while what they read is unchanged, invalidated by
 * every kind of change they read (lookups, lookups that found nothing, whole resources,
 * keys), never cached when a later render could not check them, refused at compile time
 * when they could read or change something untracked, and bounded caches.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/k8s.ts';
import { CachedStore } from '../../src/store/cached-store.ts';
import type { Store } from '../../src/store/index.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { createRenderer, RenderError, type MemoOptions, type Renderer, type RenderTrace } from '../../src/templates/index.ts';
import { FakeFetcher, secret } from '../store/fake-fetcher.ts';
import { TemplateDir } from './fixtures.ts';

const dirs: TemplateDir[] = [];
after(async () => {
  for (const dir of dirs) await dir.cleanup();
});

function obj(namespace: string, name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}): KubeObject {
  return { metadata: { namespace, name, labels }, spec };
}

/** Ingresses and Services indexed by [namespace, name]; `put` adds or replaces. */
function cluster() {
  const ingresses = new MemoryStore({ name: 'ingresses', keyCount: 2 });
  const services = new MemoryStore({ name: 'services', keyCount: 2 });
  const stores = new Map<string, Store>([['ingresses', ingresses], ['services', services]]);
  const put = (store: MemoryStore, o: KubeObject): void => store.update(o, [o.metadata.namespace!, o.metadata.name]);
  put(ingresses, obj('a', 'one', { service: 'web' }));
  put(ingresses, obj('a', 'two', { service: 'api' }));
  put(services, obj('a', 'web', { port: 80 }));
  return { ingresses, services, stores, put };
}

function renderer(stores: Map<string, Store>, inline: string, memo: Partial<MemoOptions> = {}): Renderer {
  return createRenderer({ templates: [{ name: 't', inline, output: '/nonexistent/t', mode: 0o644 }], stores, memo });
}

const PER_INGRESS = `{% for ing in resources.ingresses %}{% memo ing %}
{% set svc = resources.services.GetSingle(ing.metadata.namespace, ing.spec.service) %}
{{ ing.metadata.name }} -> {{ svc.spec.port if svc else "no service" }}
{% endmemo %}{% endfor %}`;

function stats(r: Renderer) {
  const { hits, misses, uncacheable, entries } = r.memoStats()[0]!;
  return { hits, misses, uncacheable, entries };
}

describe('memo blocks', () => {
  test('reuse their output while nothing they read changed', async () => {
    const c = cluster();
    const r = renderer(c.stores, PER_INGRESS);
    const first = await r.render('t');
    assert.equal(first, 'one -> 80\ntwo -> no service\n');
    assert.equal(await r.render('t'), first);
    assert.deepEqual(stats(r), { hits: 2, misses: 2, uncacheable: 0, entries: 2 });
  });

  test('re-render a block whose lookup now finds another object, and only that block', async () => {
    const c = cluster();
    const r = renderer(c.stores, PER_INGRESS);
    await r.render('t');
    c.put(c.services, obj('a', 'web', { port: 8080 }));
    assert.equal(await r.render('t'), 'one -> 8080\ntwo -> no service\n');
    assert.deepEqual(stats(r), { hits: 1, misses: 3, uncacheable: 0, entries: 2 });
  });

  test('re-render a block whose lookup found nothing once the object appears', async () => {
    const c = cluster();
    const r = renderer(c.stores, PER_INGRESS);
    await r.render('t');
    c.put(c.services, obj('a', 'api', { port: 9000 }));
    assert.equal(await r.render('t'), 'one -> 80\ntwo -> 9000\n');
  });

  test('re-render a block when its key changes (the object it is about was updated)', async () => {
    const c = cluster();
    const r = renderer(c.stores, PER_INGRESS);
    await r.render('t');
    c.put(c.ingresses, obj('a', 'two', { service: 'web' }));
    assert.equal(await r.render('t'), 'one -> 80\ntwo -> 80\n');
  });

  test('re-render a block that iterated a resource whenever that resource changes', async () => {
    const c = cluster();
    const r = renderer(c.stores, '{% memo %}{% for s in resources.services %}{{ s.metadata.name }} {% endfor %}{{ resources.services | length }}{% endmemo %}');
    assert.equal(await r.render('t'), 'web 1');
    assert.equal(await r.render('t'), 'web 1');
    c.put(c.services, obj('a', 'api', { port: 1 }));
    assert.equal(await r.render('t'), 'api web 2');
    c.services.delete(obj('a', 'web', {}));
    assert.equal(await r.render('t'), 'api 1');
  });

  test('follow a lookup whose answer moves: an object whose index key changed', async () => {
    const slices = new MemoryStore({ name: 'slices', keyCount: 2 });
    const stores = new Map<string, Store>([['slices', slices]]);
    const put = (name: string, service: string, ip: string): void => slices.update(obj('a', name, { ip }, { service }), ['a', service]);
    put('s1', 'web', '10.0.0.1');
    const r = renderer(stores, '{% set svc = "web" %}{% memo svc %}{% for s in resources.slices.Get("a", svc) %}{{ s.spec.ip }} {% endfor %}{% endmemo %}');
    assert.equal(await r.render('t'), '10.0.0.1 ');
    put('s1', 'api', '10.0.0.1');
    assert.equal(await r.render('t'), '');
    put('s2', 'web', '10.0.0.2');
    assert.equal(await r.render('t'), '10.0.0.2 ');
  });

  test('hand exported values to the template, frozen, and reuse them', async () => {
    const c = cluster();
    const template = `{% set names = [] %}{% for ing in resources.ingresses %}{% memo ing export entry %}{% set entry = {name: ing.metadata.name, port: resources.services.GetSingle("a", ing.spec.service).spec.port if resources.services.GetSingle("a", ing.spec.service) else 0} %}{% endmemo %}{% set _ = names.push(entry.name ~ ":" ~ entry.port) %}{% endfor %}{{ names | join(",") }}`;
    const r = renderer(c.stores, template);
    assert.equal(await r.render('t'), 'one:80,two:0');
    assert.equal(await r.render('t'), 'one:80,two:0');
    assert.equal(stats(r).hits, 2);
    const mutate = renderer(c.stores, '{% memo export xs %}{% set xs = [1] %}{% endmemo %}{% set _ = xs.push(2) %}');
    await assert.rejects(mutate.render('t'), (err: RenderError) => err instanceof RenderError && /not extensible|read only|Cannot add/.test(err.message));
  });

  test('render the same output with render.memo off, and cache nothing', async () => {
    const c = cluster();
    const on = renderer(c.stores, PER_INGRESS);
    const off = renderer(c.stores, PER_INGRESS, { enabled: false });
    assert.equal(await off.render('t'), await on.render('t'));
    assert.deepEqual(off.memoStats(), []);
  });

  test('see only their keys: other variables of the template read as undefined at run time', async () => {
    const c = cluster();
    // A read the compile-time check lets through: the name is bound in the block, after the read.
    const r = renderer(c.stores, '{% set hidden = "outer" %}{{ hidden }} {% memo %}{{ hidden | default("not visible") }}{% for hidden in [1] %}{% endfor %}{% endmemo %}');
    assert.equal(await r.render('t'), 'outer not visible');
  });

  test('keep what a block read in the render trace when its result is reused, Secrets included', async () => {
    const fetcher = new FakeFetcher();
    const secrets = new CachedStore({ name: 'secrets', keyCount: 2, fetcher, maxEntries: 64, ttlMs: 600_000 });
    const s = secret('a', 'tls', '1', { 'tls.crt': 'Q0VSVA==' });
    fetcher.put(s);
    secrets.update(structuredClone(s), ['a', 'tls']);
    const c = cluster();
    c.stores.set('secrets', secrets);
    const r = renderer(c.stores, '{% set name = "tls" %}{% memo name %}{{ resources.secrets.Fetch("a", name)[0].data["tls.crt"] | b64decode }}{% endmemo %}');
    const first: RenderTrace = { resources: new Set(), fetched: [] };
    assert.equal(await r.render('t', first), 'CERT');
    assert.equal(stats(r).entries, 1, 'the pass that fetched the Secret cached nothing; the pass after it did');
    const second: RenderTrace = { resources: new Set(), fetched: [] };
    assert.equal(await r.render('t', second), 'CERT');
    assert.equal(stats(r).hits, 1);
    assert.deepEqual([...second.resources], ['secrets']);
    assert.deepEqual(second.fetched.map((o) => o.metadata.name), ['tls']);
  });

  test('are not cached when they leave an object out or warn about one, and the object stays left out', async () => {
    const c = cluster();
    const template = `{% for ing in resources.ingresses %}{% memo ing %}{% if ing.metadata.name == "two" %}{{ fail_object(ing, "bad") }}{% endif %}{{ ing.metadata.name }} {% endmemo %}{% endfor %}{% for r in rejected_objects() %}[{{ r.name }}]{% endfor %}`;
    const r = renderer(c.stores, template);
    assert.equal(await r.render('t'), 'one [two]');
    assert.equal(await r.render('t'), 'one [two]');
    const warn = renderer(c.stores, '{% for ing in resources.ingresses %}{% memo ing %}{{ warn_object(ing, "w") }}{% endmemo %}{% endfor %}');
    await warn.render('t');
    await warn.render('t');
    assert.deepEqual(stats(warn), { hits: 0, misses: 0, uncacheable: 4, entries: 0 });
  });

  test('are not cached when they print a value the line check refused', async () => {
    const c = cluster();
    c.put(c.ingresses, obj('a', 'two', { service: 'api', note: 'x\ny' }));
    const r = renderer(c.stores, '{% for ing in resources.ingresses %}{% memo ing %}{{ ing.metadata.name }}{{ ing.spec.note | default("") }} {% endmemo %}{% endfor %}');
    assert.equal(await r.render('t'), 'one ');
    assert.equal(await r.render('t'), 'one ');
    assert.equal(stats(r).entries, 1, 'only the block of "one" is cached');
  });

  test('are not cached when they call rejected_objects()', async () => {
    const c = cluster();
    const r = renderer(c.stores, '{% memo %}{{ rejected_objects() | length }}{% endmemo %}');
    await r.render('t');
    await r.render('t');
    assert.deepEqual(stats(r), { hits: 0, misses: 0, uncacheable: 2, entries: 0 });
  });

  test('cache nothing from a block that fails, and render it again once the cause is gone', async () => {
    const c = cluster();
    const r = renderer(c.stores, '{% for ing in resources.ingresses %}{% memo ing %}{% set svc = resources.services.GetSingle("a", ing.spec.service) %}{{ fail("no service for " ~ ing.metadata.name) if not svc }}{{ svc.spec.port }} {% endmemo %}{% endfor %}');
    await assert.rejects(r.render('t'), /no service for two/);
    assert.equal(stats(r).entries, 1, 'only the block that rendered is cached');
    c.put(c.services, obj('a', 'api', { port: 9000 }));
    assert.equal(await r.render('t'), '80 9000 ');
  });

  test('nest: a change read by an inner block re-renders the outer one too', async () => {
    const c = cluster();
    const r = renderer(c.stores, `{% memo %}{% for ing in resources.ingresses %}{% memo ing %}{{ ing.metadata.name }}={{ resources.services.Get("a", ing.spec.service) | length }} {% endmemo %}{% endfor %}{% endmemo %}`);
    assert.equal(await r.render('t'), 'one=1 two=0 ');
    assert.equal(await r.render('t'), 'one=1 two=0 ');
    c.put(c.services, obj('a', 'api', {}));
    assert.equal(await r.render('t'), 'one=1 two=1 ');
  });

  test('keep at most memo_max_entries results per template, least recently used out first', async () => {
    const c = cluster();
    const r = renderer(c.stores, PER_INGRESS, { maxEntries: 1 });
    await r.render('t');
    await r.render('t');
    assert.deepEqual(stats(r), { hits: 0, misses: 4, uncacheable: 0, entries: 1 });
    const bytes = renderer(c.stores, PER_INGRESS, { maxBytes: 10 });
    assert.equal(await bytes.render('t'), 'one -> 80\ntwo -> no service\n');
    assert.equal(stats(bytes).entries, 0);
  });
});

describe('memo blocks refused at compile time', () => {
  const refusals: Array<[string, string, number, RegExp]> = [
    ['an outer variable not in the keys', '{% set z = 1 %}\n{% memo %}{{ z }}{% endmemo %}', 2, /reads "z": it comes from outside the block.*{% memo z %}/],
    ['a change to a key', '{% set z = [] %}\n{% memo z %}{% set _ = z.push(1) %}{% endmemo %}', 2, /calls push\(\) on "z"/],
    ['an include', '{% memo %}\n{% include "x.njk" %}{% endmemo %}', 2, /{% include %} is not allowed/],
    ['an assignment to a variable of the template', '{% set q = 1 %}\n{% memo %}{% set q = 2 %}{% endmemo %}', 2, /assigns "q".*"export q"/],
    ['an assignment to a key', '{% set q = 1 %}{% memo q %}{% set q = 2 %}{% endmemo %}', 1, /assigns its key "q"/],
    ['an export never assigned', '{% memo export b %}{% endmemo %}', 1, /exports "b" but never assigns it/],
    ['a key that is not a name', '{% memo a.b %}{% endmemo %}', 1, /variable names/],
    ['a macro of this file that reads the template', '{% set x = 1 %}{% macro m() %}{{ x }}{% endmacro %}{% memo %}{{ m() }}{% endmemo %}', 1, /reads "m": m is a macro/],
  ];
  for (const [what, template, line, message] of refusals) {
    test(`refuse ${what}, naming the file and line`, () => {
      assert.throws(
        () => renderer(cluster().stores, template),
        (err: RenderError) => err instanceof RenderError && message.test(err.message) && err.file === '<inline:t>' && err.line === line,
      );
    });
  }

  test('accept macros that cannot see the template: imported without context, or reading only their arguments', async () => {
    const dir = await TemplateDir.create();
    dirs.push(dir);
    await dir.write({
      '_m.njk': '{% macro shout(x) %}{{ x | upper }}{% endmacro %}',
      'main.njk': '{% import "_m.njk" as m %}{% macro twice(x) %}{{ x }}{{ x }}{% endmacro %}{% for ing in resources.ingresses %}{% memo ing %}{{ m.shout(twice(ing.metadata.name)) }} {% endmemo %}{% endfor %}',
    });
    const r = createRenderer({ templates: [dir.fileTemplate('main.njk')], stores: cluster().stores });
    assert.equal(await r.render('main.njk'), 'ONEONE TWOTWO ');
    assert.equal(await r.render('main.njk'), 'ONEONE TWOTWO ');
    assert.equal(r.memoStats()[0]!.hits, 2);
  });
});
