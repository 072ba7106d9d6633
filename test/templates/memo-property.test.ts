/**
 * The property of incremental rendering: after any sequence of changes, a render that
 * reuses `{% memo %}` results equals, byte for byte, a render of the same state with
 * render.memo off. Random, seeded sequences of adds, updates, deletes and index-key moves
 * over Ingresses, Services, EndpointSlices and (on-demand) Secrets, rendered with the
 * HAProxy example's templates (haproxy.cfg, crt-list.txt and the PEM files) and with a
 * template that nests blocks, exports values and reads whole resources.
 *
 * Replay a failure with the seed it prints: MEMO_SEED=<seed> node --test <this file>.
 * Soak: MEMO_SOAK=<changes per sequence> (e.g. 20000) runs longer sequences from a random
 * seed (printed); see test/README.md.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadConfig } from '../../src/config/index.ts';
import type { TemplateConfig, WatchedResourceConfig } from '../../src/config/types.ts';
import { Indexer } from '../../src/indexer/index.ts';
import type { KubeObject } from '../../src/k8s.ts';
import { silentLogger } from '../../src/log.ts';
import { CachedStore } from '../../src/store/cached-store.ts';
import type { Store } from '../../src/store/index.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { createRenderer, type Renderer } from '../../src/templates/index.ts';
import { FakeFetcher } from '../store/fake-fetcher.ts';
import { CERT_A, CERT_B, tlsSecret } from '../support/tls-fixtures.ts';

const EXAMPLES = path.join(import.meta.dirname, '..', '..', 'examples');

/** Changes per sequence, and sequences (each from its own seed). */
const SIZES = Object.freeze({
  example: { changes: Number(process.env['MEMO_SOAK'] ?? 400), sequences: [1, 2] },
  nested: { changes: Number(process.env['MEMO_SOAK'] ?? 1500), sequences: [4, 5] },
});

/** mulberry32: a small seeded generator, so a sequence replays from its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick, chance: (p: number): boolean => next() < p };
}

type Random = ReturnType<typeof random>;

const NAMESPACES = ['shop', 'blog'];
const NAMES = ['a', 'b', 'c', 'd'];
const HOSTS = ['a.example.com', 'b.example.com', '*.example.com', 'c.example.org', 'bad..host'];
const PATHS = ['/', '/api', '/api/v1', '/static/', '/x y'];

function ingressOf(rnd: Random, namespace: string, name: string, version: number): KubeObject {
  const service = (): unknown => ({ service: { name: rnd.pick(NAMES), port: rnd.chance(0.5) ? { name: rnd.pick(['http', 'admin']) } : { number: rnd.pick([80, 8080]) } } });
  const rules = Array.from({ length: rnd.int(3) }, () => ({
    ...(rnd.chance(0.8) ? { host: rnd.pick(HOSTS) } : {}),
    http: { paths: Array.from({ length: 1 + rnd.int(2) }, () => ({ path: rnd.pick(PATHS), pathType: rnd.pick(['Prefix', 'Exact', 'ImplementationSpecific']), backend: rnd.chance(0.9) ? service() : { resource: { kind: 'Bucket', name: 'x' } } })) },
  }));
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { namespace, name, uid: `ing-${namespace}-${name}`, resourceVersion: String(version) },
    spec: {
      ingressClassName: rnd.chance(0.85) ? 'haproxy' : 'other',
      ...(rnd.chance(0.2) ? { defaultBackend: service() } : {}),
      rules,
      ...(rnd.chance(0.6) ? { tls: [{ hosts: [rnd.pick(HOSTS.slice(0, 4))], secretName: `tls-${rnd.pick(NAMES)}` }] } : {}),
    },
  };
}

function serviceOf(rnd: Random, namespace: string, name: string, version: number): KubeObject {
  const ports = [{ name: 'http', port: rnd.pick([80, 8080]) }, ...(rnd.chance(0.5) ? [{ name: 'admin', port: 9000 }] : [])];
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name, uid: `svc-${namespace}-${name}`, resourceVersion: String(version) }, spec: { ports } };
}

function sliceOf(rnd: Random, namespace: string, name: string, version: number): KubeObject {
  const endpoints = Array.from({ length: rnd.int(4) }, (_, i) => ({
    addresses: [`10.0.${version % 250}.${i + 1}`],
    conditions: rnd.chance(0.8) ? { ready: true } : { ready: false },
    targetRef: { kind: 'Pod', name: rnd.pick([`pod-${i}`, 'pod-0', 'bad name']) },
  }));
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace, name, uid: `eps-${namespace}-${name}`, resourceVersion: String(version), labels: { 'kubernetes.io/service-name': rnd.pick(NAMES) } },
    addressType: 'IPv4',
    ports: [{ name: rnd.pick(['http', 'admin']), port: rnd.pick([8080, 9000]) }],
    endpoints,
  };
}

function secretOf(rnd: Random, namespace: string, name: string, version: number): KubeObject {
  const pair = rnd.pick([CERT_A, CERT_B]);
  const secret = tlsSecret(namespace, name, pair);
  secret.metadata.uid = `sec-${namespace}-${name}`;
  secret.metadata.resourceVersion = String(version);
  if (rnd.chance(0.15)) secret.data = { 'tls.crt': (secret.data as Record<string, string>)['tls.crt']! };
  return secret;
}

const MAKERS: Record<string, (rnd: Random, namespace: string, name: string, version: number) => KubeObject> = {
  ingresses: ingressOf,
  services: serviceOf,
  endpointslices: sliceOf,
  secrets: (rnd, namespace, name, version) => secretOf(rnd, namespace, `tls-${name}`, version),
};

/** The example's watched resources in stores (Secrets on demand, over a fake API server), fed through Indexers. */
class World {
  readonly stores = new Map<string, Store>();
  readonly #indexers = new Map<string, Indexer>();
  readonly #objects = new Map<string, Map<string, KubeObject>>();
  readonly #fetcher = new FakeFetcher();
  #version = 0;

  constructor(resources: readonly WatchedResourceConfig[]) {
    for (const resource of resources) {
      const store =
        resource.name === 'secrets'
          ? new CachedStore({ name: resource.name, keyCount: resource.indexBy.length, fetcher: this.#fetcher, maxEntries: 8, ttlMs: 600_000 })
          : new MemoryStore({ name: resource.name, keyCount: resource.indexBy.length });
      this.stores.set(resource.name, store);
      this.#indexers.set(resource.name, new Indexer({ resource, store, logger: silentLogger() }));
      this.#objects.set(resource.name, new Map());
    }
  }

  /** One random change: an add or an update (which may move the object's index keys), or a delete. */
  change(rnd: Random): string {
    const resource = rnd.pick([...this.#objects.keys()]);
    const namespace = rnd.pick(NAMESPACES);
    const name = rnd.pick(NAMES);
    const objects = this.#objects.get(resource)!;
    const id = `${namespace}/${name}`;
    const indexer = this.#indexers.get(resource)!;
    const existing = objects.get(id);
    if (existing !== undefined && rnd.chance(0.3)) {
      objects.delete(id);
      if (resource === 'secrets') this.#fetcher.objects.delete(`${existing.metadata.namespace}/${existing.metadata.name}`);
      indexer.delete(structuredClone(existing));
      return `delete ${resource} ${id}`;
    }
    const obj = MAKERS[resource]!(rnd, namespace, name, ++this.#version);
    objects.set(id, obj);
    if (resource === 'secrets') this.#fetcher.put(obj);
    const copy = structuredClone(obj);
    if (existing === undefined) indexer.add(copy);
    else indexer.update(copy);
    return `${existing === undefined ? 'add' : 'update'} ${resource} ${id}`;
  }
}

/** Renders every template with both renderers and fails, naming the seed and the changes, at the first difference. */
async function compare(memo: Renderer, full: Renderer, templates: readonly TemplateConfig[], context: () => string): Promise<void> {
  for (const template of templates) {
    const [incremental, scratch] = await Promise.all([settle(memo, template), settle(full, template)]);
    if (incremental !== scratch) assert.equal(incremental, scratch, `${template.name} differs from a render from scratch; ${context()}`);
  }
}

/** The output (or the error) of a template, as text; for_each templates give their files. */
async function settle(renderer: Renderer, template: TemplateConfig): Promise<string> {
  try {
    if (template.forEach === undefined) return await renderer.render(template.name);
    const { files, failed } = await renderer.renderEach(template.name);
    return JSON.stringify({ files: [...files], failed: [...failed.keys()] });
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

async function runSequence(seed: number, changes: number, templates: readonly TemplateConfig[], resources: readonly WatchedResourceConfig[], baseDir: string): Promise<void> {
  const rnd = random(seed);
  const world = new World(resources);
  const memo = createRenderer({ templates, stores: world.stores, baseDir });
  const full = createRenderer({ templates, stores: world.stores, baseDir, memo: { enabled: false } });
  const log: string[] = [];
  const context = (): string => `seed ${seed} (replay: MEMO_SEED=${seed}), after ${log.length} changes, the last: ${log.slice(-5).join('; ')}`;
  for (let i = 0; i < changes; i++) {
    log.push(world.change(rnd));
    // Several changes between two renders now and then, as the controller's debounce batches them.
    if (rnd.chance(0.25)) continue;
    await compare(memo, full, templates, context);
  }
  await compare(memo, full, templates, context);
  const { hits } = memo.memoStats()[0]!;
  assert.ok(hits > 0, `seed ${seed}: no memo result was reused, so nothing incremental was tested`);
}

function seeds(defaults: readonly number[]): number[] {
  if (process.env['MEMO_SEED'] !== undefined) return [Number(process.env['MEMO_SEED'])];
  if (process.env['MEMO_SOAK'] !== undefined) {
    const seed = Math.floor(Math.random() * 2 ** 31);
    process.stdout.write(`memo property soak: seed ${seed}\n`);
    return [seed];
  }
  return [...defaults];
}

const NESTED = `{% for ing in resources.ingresses %}
{% memo ing export hosts %}
{% set hosts = [] %}
{% for rule in ing.spec.rules %}
{% set svc = resources.services.GetSingle(ing.metadata.namespace, rule.http.paths[0].backend.service.name if rule.http.paths[0].backend.service else "none") %}
{% set slices = resources.endpointslices.Get(ing.metadata.namespace, svc.metadata.name if svc else "none") %}
{% set _ = hosts.push((rule.host or "*") ~ "=" ~ (svc.spec.ports | length if svc else "-") ~ "/" ~ (slices | length)) %}
{% endfor %}
{% endmemo %}
{{ ing.metadata.namespace }}/{{ ing.metadata.name }}: {{ hosts | join(" ") }}
{% endfor %}
{% memo %}
services: {% for s in resources.services %}{{ s.metadata.name }}:{% memo s %}{% for p in s.spec.ports %}{{ p.port }}{% endfor %}{% endmemo %} {% endfor %}

secrets: {% for ns in ["shop", "blog"] %}{% memo ns %}{% for n in ["tls-a", "tls-b", "tls-c", "tls-d"] %}{{ resources.secrets.Fetch(ns, n) | length }}{% endfor %}{% endmemo %}{% endfor %}

{% endmemo %}
`;

describe('incremental rendering equals rendering from scratch', async () => {
  const config = await loadConfig(path.join(EXAMPLES, 'config.yaml'));

  for (const seed of seeds(SIZES.example.sequences)) {
    test(`the HAProxy example, ${SIZES.example.changes} random changes (seed ${seed})`, async () => {
      await runSequence(seed, SIZES.example.changes, config.templates, config.watchedResources, config.baseDir);
    });
  }

  for (const seed of seeds(SIZES.nested.sequences)) {
    test(`nested blocks, exports, lookups and whole resources, ${SIZES.nested.changes} random changes (seed ${seed})`, async () => {
      const templates: TemplateConfig[] = [{ name: 'nested', inline: NESTED, output: '/nonexistent/nested', mode: 0o644, escape: 'none' }];
      await runSequence(seed, SIZES.nested.changes, templates, config.watchedResources, config.baseDir);
    });
  }
});
