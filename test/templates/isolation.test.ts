/**
 * Isolation: an object a template cannot render safely is left out of the render, and the
 * rest renders. Objects are found by the line check of `escape: line` (a printed value
 * holding a line break or another control character), by fail_object and by the
 * validating filters given the object; warn_object reports without leaving out.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { TemplateConfig } from '../../src/config/types.ts';
import type { KubeObject } from '../../src/k8s.ts';
import { createLogger } from '../../src/log.ts';
import { CachedStore } from '../../src/store/cached-store.ts';
import type { Store } from '../../src/store/index.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { createRenderer, RenderError, type TemplateReport } from '../../src/templates/index.ts';
import { FakeFetcher, secret } from '../store/fake-fetcher.ts';

function ingress(namespace: string, name: string, path: string, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { namespace, name, uid: `uid-${name}`, resourceVersion: '7' }, spec: { path, ...extra } };
}

function storeOf(name: string, objects: KubeObject[]): MemoryStore {
  const store = new MemoryStore({ name, keyCount: 2 });
  for (const obj of objects) store.add(obj, [obj.metadata.namespace ?? '', obj.metadata.name]);
  return store;
}

/** Two good tenants and whatever else a test adds, in an `ingresses` store. */
function tenants(...others: KubeObject[]): Map<string, Store> {
  return new Map<string, Store>([['ingresses', storeOf('ingresses', [ingress('alpha', 'web', '/a'), ingress('beta', 'web', '/b'), ...others])]]);
}

/** A renderer for one inline template `t`, reporting into `reports` and logging into `lines`. */
function setup(text: string, stores: Map<string, Store>, options: Partial<TemplateConfig> = {}) {
  const reports: TemplateReport[] = [];
  const lines: Array<{ level: number; msg: string; [field: string]: unknown }> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const template: TemplateConfig = { name: 't', inline: text, output: '/nonexistent/t', mode: 0o644, ...options };
  const renderer = createRenderer({
    templates: [template],
    stores,
    logger: createLogger({ level: 'debug', destination }),
    onReport: (report) => reports.push(report),
  });
  return { render: () => renderer.render('t'), reports, warnings: () => lines.filter((l) => l.level === 40), lines };
}

async function renderFails(render: () => Promise<string>): Promise<RenderError> {
  try {
    const output = await render();
    throw new Error(`expected a RenderError, got ${JSON.stringify(output)}`);
  } catch (err) {
    if (err instanceof RenderError) return err;
    throw err;
  }
}

const ROUTES = `{% for i in resources.ingresses %}
route {{ i.metadata.namespace }}/{{ i.metadata.name }} {{ i.spec.path }}
{% endfor %}
{% for r in rejected_objects() %}
# left out: {{ r.text }}
{% endfor %}
`;

describe('the line check (escape: line)', () => {
  for (const [what, character, code] of [
    ['a line break', '\n', 'U+000A'],
    ['a carriage return', '\r', 'U+000D'],
    ['a NUL character', '\u0000', 'U+0000'],
    ['a line separator', '\u2028', 'U+2028'],
    ['a paragraph separator', '\u2029', 'U+2029'],
    ['a next-line character', '\u0085', 'U+0085'],
    ['a tab', '\t', 'U+0009'],
    ['a control character', '\u001b', 'U+001B'],
  ] as const) {
    test(`leaves out the object whose printed value holds ${what}, and renders the others`, async () => {
      const evil = ingress('gamma', 'evil', `/x${character}    http-request return status 200\n#`);
      const t = setup(ROUTES, tenants(evil));
      const output = await t.render();
      const reason = `the value printed at <inline:t>:2:${'route {{ i.metadata.namespace }}/{{ i.metadata.name }} '.length + 4} holds ${what} (${code}) at character 3 (escape: line)`;
      assert.equal(output, `route alpha/web /a\nroute beta/web /b\n# left out: Ingress gamma/evil: ${reason}\n`);
      assert.deepEqual(t.reports.at(-1)?.leftOut, [{ resource: 'ingresses', kind: 'Ingress', namespace: 'gamma', name: 'evil', resourceVersion: '7', reason }]);
    });
  }

  test('prints values without control characters as they are: spaces, quotes, braces, non-ASCII', async () => {
    const odd = ingress('gamma', 'odd', `/x } || { always_true "'# ünïcødé 😀`);
    assert.equal(await setup(ROUTES, tenants(odd)).render(), `route alpha/web /a\nroute beta/web /b\nroute gamma/odd /x } || { always_true "'# ünïcødé 😀\n`);
  });

  test('traces a value the template joined with other text back to the object holding the bad part', async () => {
    const evil = ingress('gamma', 'evil', '/x\nlisten pwn');
    const t = setup('{% for i in resources.ingresses %}{{ "path " ~ i.spec.path ~ " end" }};{% endfor %}', tenants(evil));
    assert.equal(await t.render(), 'path /a end;path /b end;');
    assert.deepEqual(t.reports.at(-1)?.leftOut.map((r) => r.name), ['evil']);
  });

  test('passes what the template marks or writes itself: | safe, macro output, literals, numbers', async () => {
    const text = [
      '{% macro block(x) %}a\n{{ x }}\nb{% endmacro %}',
      '{{ block("mid") }}|{{ "c\\nd" | safe }}|{{ "e\\nf" }}|{{ 42 }}|{{ resources.ingresses | length }}',
    ].join('\n');
    assert.equal(await setup(text, tenants()).render(), 'a\nmid\nb|c\nd|e\nf|42|2');
  });

  test('a macro does not launder a bad value: what it prints is checked inside it', async () => {
    const evil = ingress('gamma', 'evil', '/x\ny');
    const text = '{% macro route(i) %}route {{ i.spec.path }}\n{% endmacro %}{% for i in resources.ingresses %}{{ route(i) }}{% endfor %}';
    const t = setup(text, tenants(evil));
    assert.equal(await t.render(), 'route /a\nroute /b\n');
    assert.deepEqual(t.reports.at(-1)?.leftOut.map((r) => r.name), ['evil']);
  });

  test('fails the render at the value when no watched object holds it, naming the character', async () => {
    const text = 'first line\n  {{ resources.ingresses[0].spec.path ~ "\\n" ~ "x" }}\n';
    const err = await renderFails(setup(text, tenants()).render);
    assert.equal(err.file, '<inline:t>');
    assert.deepEqual([err.line, err.col], [2, 6]);
    assert.match(err.reason, /^the printed value holds a line break \(U\+000A\) at character 3, and no watched object holds it/);
    assert.match(err.reason, /\| safe/);
    assert.ok(!err.message.includes('/a\n'), 'the value itself is not in the message');
  });

  test('escape: none prints every value as it is', async () => {
    const evil = ingress('gamma', 'evil', '/x\ny');
    const t = setup(ROUTES, tenants(evil), { escape: 'none' });
    assert.equal(await t.render(), 'route alpha/web /a\nroute beta/web /b\nroute gamma/evil /x\ny\n');
    assert.deepEqual(t.reports.at(-1)?.leftOut, []);
  });

  test('finds the bad value in on-demand objects the render fetched', async () => {
    const fetcher = new FakeFetcher();
    const secrets = new CachedStore({ name: 'secrets', keyCount: 2, fetcher, maxEntries: 16, ttlMs: 60_000, now: () => 0 });
    for (const obj of [secret('alpha', 'tls', '1', { note: 'fine' }), secret('gamma', 'tls', '1', { note: 'bad\nline' })]) {
      fetcher.put(obj);
      secrets.update(structuredClone(obj), [obj.metadata.namespace!, obj.metadata.name]);
    }
    const stores = new Map<string, Store>([['secrets', secrets]]);
    const text = '{% for s in resources.secrets %}{{ s.metadata.namespace }}: {{ s.data.note }}\n{% endfor %}{% for r in rejected_objects() %}# {{ r.text }}\n{% endfor %}';
    const t = setup(text, stores);
    assert.equal(await t.render(), 'alpha: fine\n# Secret gamma/tls: the value printed at <inline:t>:1:64 holds a line break (U+000A) at character 4 (escape: line)\n');
  });
});

describe('fail_object', () => {
  const VALIDATED = `{% for i in resources.ingresses %}
{% if i.spec.path[0] != "/" %}{{ fail_object(i, "path must start with /") }}{% endif %}
route {{ i.metadata.name }}@{{ i.metadata.namespace }} {{ i.spec.path }}
{% endfor %}
{{ resources.ingresses | length }} routes; Get: {{ resources.ingresses.Get("gamma") | length }}; GetSingle: {{ resources.ingresses.GetSingle("gamma", "bad1") or "none" }}
{% for r in rejected_objects() %}
# left out: {{ r.text }}
{% endfor %}
`;

  test('leaves the object out of every view (iteration, length, Get, GetSingle) and lists it for a comment', async () => {
    const t = setup(VALIDATED, tenants(ingress('gamma', 'bad1', 'x'), ingress('gamma', 'bad2', 'y'), ingress('gamma', 'ok', '/g')));
    assert.equal(
      await t.render(),
      [
        'route web@alpha /a',
        'route web@beta /b',
        'route ok@gamma /g',
        '3 routes; Get: 1; GetSingle: none',
        '# left out: Ingress gamma/bad1: path must start with /',
        '# left out: Ingress gamma/bad2: path must start with /',
        '',
      ].join('\n'),
    );
  });

  test('finds every rejected object in one pass, so a render with bad objects takes two passes', async () => {
    const bad = Array.from({ length: 50 }, (_, i) => ingress('gamma', `bad${i}`, 'x'));
    const t = setup(VALIDATED, tenants(...bad));
    const output = await t.render();
    assert.equal(t.reports.at(-1)?.leftOut.length, 50);
    assert.match(output, /^route web@alpha \/a\nroute web@beta \/b\n2 routes/);
    const rendered = t.lines.find((l) => l.msg === 'template rendered');
    assert.equal(rendered?.passes, 2);
  });

  test('leaves out a fetched on-demand object, matched by its reference in the store', async () => {
    const fetcher = new FakeFetcher();
    const secrets = new CachedStore({ name: 'secrets', keyCount: 2, fetcher, maxEntries: 16, ttlMs: 60_000, now: () => 0 });
    for (const obj of [secret('alpha', 'tls', '1', { 'tls.crt': 'Y2VydA==' }), secret('beta', 'tls', '1', {})]) {
      fetcher.put(obj);
      secrets.update(structuredClone(obj), [obj.metadata.namespace!, obj.metadata.name]);
    }
    const text = `{% for ns in ["alpha", "beta"] %}{% set s = resources.secrets.GetSingle(ns, "tls") %}{% if s and not s.data["tls.crt"] %}{{ fail_object(s, "no tls.crt") }}{% endif %}{% endfor %}{{ resources.secrets | length }}{% for r in rejected_objects() %} {{ r.text }}{% endfor %}`;
    const t = setup(text, new Map<string, Store>([['secrets', secrets]]));
    assert.equal(await t.render(), '1 Secret beta/tls: no tls.crt');
  });

  test('makes the reason one line and never fails on it', async () => {
    const t = setup('{% for i in resources.ingresses %}{% if i.metadata.name == "web" %}{{ fail_object(i, "bad\\npath " ~ i.spec.path) }}{% endif %}{% endfor %}{% for r in rejected_objects() %}{{ r.reason }};{% endfor %}', tenants());
    assert.equal(await t.render(), 'bad\\u000apath /a;bad\\u000apath /b;');
  });

  test('refuses something that is not a watched object, at the call', async () => {
    const err = await renderFails(setup('{% set fake = {"metadata": {"name": "made-up"} } %}\n{{ fail_object(fake, "no") }}', tenants()).render);
    assert.deepEqual([err.line, err.col], [2, 4]);
    assert.match(err.reason, /^fail_object: the object is not one of the watched objects/);
  });

  test('gives up after a bounded number of rounds when each round rejects another object', async () => {
    const text = '{% for i in resources.ingresses %}{% if loop.first %}{{ fail_object(i, "first") }}{% endif %}{% endfor %}';
    const others = Array.from({ length: 8 }, (_, i) => ingress('gamma', `n${i}`, '/n'));
    const err = await renderFails(setup(text, tenants(...others)).render);
    assert.match(err.reason, /^objects were still being left out after 4 rounds: 5 left out so far$/);
  });
});

describe('warn_object', () => {
  test('reports a problem with an object that stays in the output', async () => {
    const t = setup('{% for i in resources.ingresses %}{{ i.metadata.namespace }}{% if i.metadata.namespace == "beta" %}{{ warn_object(i, "TLS Secret missing: served without TLS") }}{% endif %};{% endfor %}', tenants());
    assert.equal(await t.render(), 'alpha;beta;');
    assert.deepEqual(t.reports.at(-1)?.warnings, [{ resource: 'ingresses', kind: 'Ingress', namespace: 'beta', name: 'web', resourceVersion: '7', reason: 'TLS Secret missing: served without TLS' }]);
    assert.deepEqual(t.reports.at(-1)?.leftOut, []);
  });
});

describe('reports and logs', () => {
  test('log and count a finding once while it lasts, again when it comes back; never the rejected value', async () => {
    const stores = tenants(ingress('gamma', 'evil', '/x\nSECRET-LOOKING-VALUE'));
    const t = setup(ROUTES, stores);
    await t.render();
    await t.render();
    const warnings = t.warnings();
    assert.equal(warnings.length, 1);
    assert.deepEqual(
      { template: warnings[0]?.template, resource: warnings[0]?.resource, namespace: warnings[0]?.namespace, name: warnings[0]?.name },
      { template: 't', resource: 'ingresses', namespace: 'gamma', name: 'evil' },
    );
    assert.match(warnings[0]!.msg, /^template "t": left out Ingress gamma\/evil: the value printed at <inline:t>:2:\d+ holds a line break/);
    assert.ok(t.lines.every((line) => !JSON.stringify(line).includes('SECRET-LOOKING-VALUE')));
    assert.deepEqual(t.reports.map((r) => r.newlyLeftOut.length), [1, 0]);
    assert.deepEqual(t.reports.map((r) => r.leftOut.length), [1, 1]);

    (stores.get('ingresses') as MemoryStore).delete(ingress('gamma', 'evil', ''));
    await t.render();
    (stores.get('ingresses') as MemoryStore).add(ingress('gamma', 'evil', '/y\nz'), ['gamma', 'evil']);
    await t.render();
    assert.deepEqual(t.reports.map((r) => r.newlyLeftOut.length), [1, 0, 0, 1]);
    assert.equal(t.warnings().length, 2);
  });
});

describe('validating filters given the object', () => {
  test('leave the object out with a reason naming the filter and the problem, never the value', async () => {
    const text = `{% for i in resources.ingresses %}
route {{ i.spec.path | http_path(i, "spec.path") }}
{% endfor %}
{% for r in rejected_objects() %}
# {{ r.text }}
{% endfor %}
`;
    const t = setup(text, tenants(ingress('gamma', 'evil', '/zzz } || { always_true')));
    assert.equal(await t.render(), 'route /a\nroute /b\n# Ingress gamma/evil: spec.path: not a strict path: a space (U+0020) at character 5\n');
  });

  test('fail the render without the object, at the filter', async () => {
    const err = await renderFails(setup('{% for i in resources.ingresses %}{{ i.spec.path | dns_name }}{% endfor %}', tenants()).render);
    assert.equal(err.col, 52);
    assert.match(err.reason, /^dns_name: not a DNS-1123 name: "\/" \(U\+002F\) at character 1 \(give it the object the value came from, value \| dns_name\(obj\), to leave that object out instead\)$/);
  });
});
