import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TemplateConfig } from '../../src/config/types.ts';
import type { KubeObject } from '../../src/k8s.ts';
import { CachedStore } from '../../src/store/cached-store.ts';
import type { Store } from '../../src/store/index.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { checkTemplates, createRenderer, RenderError, type EachResult, type TemplateReport } from '../../src/templates/index.ts';
import { FakeFetcher } from '../store/fake-fetcher.ts';
import { CERT_A, CERT_B, tlsSecret } from '../support/tls-fixtures.ts';
import { sampleStores, TemplateDir } from './fixtures.ts';

const dirs: TemplateDir[] = [];
after(async () => {
  for (const dir of dirs) await dir.cleanup();
});

function forEachTemplate(inline: string, name: string, forEach: Partial<NonNullable<TemplateConfig['forEach']>> = { resource: 'ingresses' }, extras: Partial<TemplateConfig> = {}): TemplateConfig {
  return { name: 'each', inline, output: `/out/${name}`, mode: 0o644, forEach: { dir: '/out', name, ...forEach }, ...extras };
}

function setup(template: TemplateConfig, stores: Map<string, Store> = sampleStores()) {
  const reports: TemplateReport[] = [];
  const renderer = createRenderer({ templates: [template], stores, onReport: (report) => reports.push(report) });
  return { render: () => renderer.renderEach('each'), renderer, reports };
}

const contents = (result: EachResult): Record<string, string> => Object.fromEntries([...result.files].sort(([a], [b]) => (a < b ? -1 : 1)));

async function renderFails(render: () => Promise<unknown>): Promise<RenderError> {
  try {
    await render();
  } catch (err) {
    if (err instanceof RenderError) return err;
    throw err;
  }
  throw new Error('expected a RenderError');
}

describe('for_each templates', () => {
  test('render once per object of a resource, each with `object`, `vars` and `resources`, named by the output pattern', async () => {
    const template = forEachTemplate(
      '{{ object.spec.rules[0].host }} {{ vars.port }} of {{ resources.ingresses | length }}\n',
      '{{ object.metadata.namespace }}_{{ object.metadata.name }}.{{ vars.suffix }}',
      { resource: 'ingresses' },
      { vars: { port: 8443, suffix: 'site' } },
    );
    const result = await setup(template).render();
    assert.deepEqual(contents(result), {
      'default_api.site': 'api.example.com 8443 of 3\n',
      'default_web.site': 'web.example.com 8443 of 3\n',
      'prod_shop.site': 'shop.example.com 8443 of 3\n',
    });
    assert.equal(result.failed.size, 0);
  });

  test('render once per element of a list a template file exports, imported with the context', async () => {
    const dir = await TemplateDir.create();
    dirs.push(dir);
    await dir.write({
      '_model.njk': '{% set hosts = [] %}{% for ing in resources.ingresses %}{% if ing.metadata.namespace == vars.namespace %}{% set _ = hosts.push({name: ing.metadata.name, host: ing.spec.rules[0].host}) %}{% endif %}{% endfor %}',
    });
    const template = forEachTemplate('{{ object.host }}\n', '{{ object.name }}.host', { import: dir.path('_model.njk'), list: 'hosts' }, { vars: { namespace: 'default' } });
    assert.deepEqual(contents(await setup(template).render()), { 'api.host': 'api.example.com\n', 'web.host': 'web.example.com\n' });
  });

  test('a list file that exports no such list fails the render, naming the file and the list', async () => {
    const dir = await TemplateDir.create();
    dirs.push(dir);
    await dir.write({ 'model.njk': '{% set other = 1 %}' });
    const error = await renderFails(setup(forEachTemplate('x', '{{ object }}', { import: dir.path('model.njk'), list: 'hosts' })).render);
    assert.match(error.message, /for_each: .*model\.njk does not export a list named "hosts" \(it sets no such variable at its top level\)$/);
  });

  test('an object whose file name is not a plain file name is left out with the reason; the others render', async () => {
    const stores = sampleStores();
    stores.get('ingresses')!.add({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { namespace: 'evil', name: '../../etc' }, spec: { rules: [{ host: 'x' }] } }, ['evil', '../../etc']);
    const { render, reports } = setup(forEachTemplate('{{ object.metadata.name }}\n', '{{ object.metadata.name }}.conf'), stores);
    const result = await render();
    assert.deepEqual([...result.files.keys()].sort(), ['api.conf', 'shop.conf', 'web.conf']);
    assert.deepEqual(
      reports.at(-1)?.leftOut.map((r) => `${r.namespace}/${r.name}: ${r.reason}`),
      ['evil/../../etc: its output file name: the file name starts with "." (hidden names are informant\'s own, and "." and ".." are folders)'],
    );
  });

  test('two elements that get the same file name fail the render, naming both', async () => {
    const error = await renderFails(setup(forEachTemplate('x', '{{ object.metadata.namespace }}.conf')).render);
    assert.equal(error.reason, 'Ingress default/api and Ingress default/web both render to the file name "default.conf": make the output pattern tell them apart');
  });

  test('fail_object on the element leaves its file out; an element whose render throws is listed as failed, the others render', async () => {
    const template = forEachTemplate(
      '{% if object.metadata.name == "api" %}{{ fail_object(object, "no api here") }}{% endif %}{% if object.metadata.name == "shop" %}{{ fail("broken") }}{% endif %}{{ object.metadata.name }}\n',
      '{{ object.metadata.namespace }}_{{ object.metadata.name }}',
    );
    const { render, reports } = setup(template);
    const result = await render();
    assert.deepEqual(contents(result), { default_web: 'web\n' });
    assert.deepEqual([...result.failed.keys()], ['prod_shop']);
    assert.match(result.failed.get('prod_shop')!.message, /broken$/);
    assert.deepEqual(reports.at(-1)?.leftOut.map((r) => `${r.name}: ${r.reason}`), ['api: no api here']);
  });

  test('Fetch of an on-demand store works inside each element, and an element may be an on-demand object itself', async () => {
    const fetcher = new FakeFetcher();
    const secrets = new CachedStore({ name: 'secrets', keyCount: 2, fetcher, maxEntries: 16, ttlMs: 600_000 });
    for (const [name, pair] of [['a-tls', CERT_A], ['b-tls', CERT_B]] as const) {
      const obj = { ...tlsSecret('web', name, pair), metadata: { namespace: 'web', name, uid: name, resourceVersion: '1' } };
      fetcher.put(obj);
      secrets.update(structuredClone(obj), ['web', name]);
    }
    const stores = new Map<string, Store>([['secrets', secrets]]);
    const template = forEachTemplate('{{ object | tls_pem }}', '{{ object.metadata.name }}.pem', { resource: 'secrets' });
    const result = await setup(template, stores).render();
    assert.deepEqual([...result.files.keys()].sort(), ['a-tls.pem', 'b-tls.pem']);
    assert.match(result.files.get('a-tls.pem')!, /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n$/);
  });

  test('a file name pattern that does not compile is a template problem, found before the first render', () => {
    const problems = checkTemplates({ templates: [forEachTemplate('x', '{{ object.metadata.name ', { resource: 'ingresses' })] });
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /^<output of each>:1:\d+: /);
  });

  test('vars reach templates without for_each too, and render() refuses a for_each template', async () => {
    const ingresses = new MemoryStore({ name: 'ingresses', keyCount: 2 });
    const single: TemplateConfig = { name: 'one', inline: 'class {{ vars.ingress_class }}', output: '/out/one', mode: 0o644, vars: { ingress_class: 'haproxy' } };
    const renderer = createRenderer({ templates: [single, forEachTemplate('x', '{{ object.metadata.name }}')], stores: new Map([['ingresses', ingresses]]) });
    assert.equal(await renderer.render('one'), 'class haproxy');
    await assert.rejects(renderer.render('each'), /template "each" has for_each: it renders one file per element \(renderEach\)/);
  });
});

/** A Kubernetes object, for the tls checks. */
function withData(data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'web', name: 'x' }, data };
}

describe('tls_problem and tls_pem', () => {
  const b64 = (text: string): string => Buffer.from(text).toString('base64');
  const render = (text: string, secret: KubeObject): Promise<string> => {
    const secrets = new MemoryStore({ name: 'secrets', keyCount: 2 });
    secrets.add(secret, ['web', secret.metadata.name]);
    return createRenderer({ templates: [{ name: 't', inline: text, output: '/out/t', mode: 0o644 }], stores: new Map([['secrets', secrets]]) }).render('t');
  };
  const problem = (secret: KubeObject): Promise<string> => render('{{ tls_problem(resources.secrets[0]) }}', secret);

  test('a certificate with the key that belongs to it has no problem, and tls_pem re-encodes both', async () => {
    assert.equal(await problem(tlsSecret('web', 'x', CERT_A)), '');
    const pem = await render('{{ resources.secrets[0] | tls_pem }}', tlsSecret('web', 'x', CERT_A));
    assert.equal(pem.split('-----BEGIN ').length - 1, 2);
    assert.ok(pem.startsWith(CERT_A.cert.trimEnd()), 'the certificate first, as PEM');
  });

  test('each way a Secret can be wrong is named, never quoting its data', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ 'tls.key': b64(CERT_A.key) }, 'no tls.crt'],
      [{ 'tls.crt': b64(CERT_A.cert) }, 'no tls.key'],
      [{ 'tls.crt': 'not base64!', 'tls.key': b64(CERT_A.key) }, 'tls.crt is not valid base64'],
      [{ 'tls.crt': b64('FAKE CERTIFICATE'), 'tls.key': b64(CERT_A.key) }, 'tls.crt holds no PEM certificate'],
      [{ 'tls.crt': b64('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), 'tls.key': b64(CERT_A.key) }, 'certificate 1 of tls.crt does not parse'],
      [{ 'tls.crt': b64(CERT_A.cert), 'tls.key': b64('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n') }, 'tls.key holds no PEM private key (or an encrypted one)'],
      [{ 'tls.crt': b64(CERT_A.cert), 'tls.key': b64(CERT_B.key) }, 'tls.key does not belong to the first certificate of tls.crt'],
    ];
    for (const [data, expected] of cases) assert.equal(await problem(withData(data)), expected);
    await assert.rejects(render('{{ resources.secrets[0] | tls_pem }}', withData({ 'tls.crt': b64(CERT_A.cert), 'tls.key': b64(CERT_B.key) })), /tls_pem: tls\.key does not belong to the first certificate of tls\.crt/);
  });
});
