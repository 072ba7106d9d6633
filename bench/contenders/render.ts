/**
 * The render contenders: the example haproxy.cfg template (examples/templates) over N
 * Ingresses, each with its Service, EndpointSlice and TLS Secret.
 * - `informant`: the objects go through Indexers (remove_fields, index_by from
 *   examples/config.yaml) into MemoryStores; createRenderer renders from them (the
 *   `resources` view, error locations, the line check of escape: line, the render loop),
 *   as the controller does. `informantUnchecked` is the same with `escape: none`, to show
 *   what the line check costs.
 * - `bare`: stock nunjucks with the same options and plain implementations of the filters
 *   and functions the template uses (the validators as the same character checks, without
 *   leaving objects out; informant's own tls_problem, a pure function), the config's vars,
 *   over plain arrays of the same (equally stripped, unfrozen)
 *   objects with Map-backed Get/GetSingle/Fetch. The nunjucks patch of src/templates is
 *   never loaded in this process.
 * Before each timed render one EndpointSlice changes (on both sides alike), because the
 * controller renders only after a change; the outputs must be identical.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { KubeObject } from '../../src/k8s.ts';
import { endpointSlice, ingress, secret, service } from '../support/objects.ts';

export interface RenderParams {
  /** Ingresses (and as many Services and EndpointSlices). */
  count: number;
  /** Timed renders (after one untimed warm-up). */
  renders: number;
}

export interface RenderResult {
  /** Duration of each timed render, in ms. */
  ms: number[];
  /** sha256 of the last output, to check both contenders rendered the same text. */
  sha256: string;
  /** Characters of the last output. */
  chars: number;
}

const EXAMPLES = path.join(import.meta.dirname, '..', '..', 'examples');
const TEMPLATE = 'haproxy.cfg';

/** informant: Indexers → MemoryStores → createRenderer. */
export async function informant(params: RenderParams): Promise<RenderResult> {
  return informantWith(params, 'line');
}

/** informant with `escape: none`: no line check of printed values. */
export async function informantUnchecked(params: RenderParams): Promise<RenderResult> {
  return informantWith(params, 'none');
}

async function informantWith(params: RenderParams, escape: 'line' | 'none'): Promise<RenderResult> {
  const { createRenderer } = await import('../../src/templates/index.ts');
  const { config, stores, indexers } = await exampleStores(params.count);
  const templates = config.templates.filter((t) => t.name === TEMPLATE).map((t) => ({ ...t, escape }));
  // Everything rendered every time: this benchmark compares the template machinery with bare
  // nunjucks; reusing memo results after a change is benchmark 10 (incremental.ts).
  const renderer = createRenderer({ templates, stores, baseDir: config.baseDir, memo: { enabled: false } });
  return timeRenders(params, () => renderer.render(TEMPLATE), (slice) => indexers.get('endpointslices')!.update(slice));
}

/**
 * examples/config.yaml, and its watched resources in MemoryStores filled through Indexers
 * (remove_fields, index_by) with the objects of {@link dataset}(count).
 */
export async function exampleStores(count: number) {
  const { loadConfig } = await import('../../src/config/index.ts');
  const { Indexer } = await import('../../src/indexer/index.ts');
  const { MemoryStore } = await import('../../src/store/memory-store.ts');
  const { silentLogger } = await import('../../src/log.ts');
  const config = await loadConfig(path.join(EXAMPLES, 'config.yaml'));
  const stores = new Map<string, InstanceType<typeof MemoryStore>>();
  const indexers = new Map<string, InstanceType<typeof Indexer>>();
  for (const resource of config.watchedResources) {
    const store = new MemoryStore({ name: resource.name, keyCount: resource.indexBy.length });
    stores.set(resource.name, store);
    indexers.set(resource.name, new Indexer({ resource, store, logger: silentLogger() }));
  }
  for (const [name, objects] of Object.entries(dataset(count))) indexers.get(name)!.replace(objects);
  return { config, stores, indexers };
}

/** Bare nunjucks over plain arrays. */
export async function bare(params: RenderParams): Promise<RenderResult> {
  const { default: nunjucks } = await import('nunjucks');
  const { loadConfig } = await import('../../src/config/index.ts');
  const { TLS_GLOBALS } = await import('../../src/templates/tls.ts');
  const config = (await loadConfig(path.join(EXAMPLES, 'config.yaml'))).templates.find((t) => t.name === TEMPLATE)!;
  const env = new nunjucks.Environment(WithoutMemoTags(nunjucks, path.join(EXAMPLES, 'templates')), {
    autoescape: false, throwOnUndefined: true, trimBlocks: true, lstripBlocks: true,
  });
  env.addFilter('sort_by', sortBy);
  env.addFilter('group_by', groupBy);
  env.addFilter('unique', unique);
  env.addFilter('flatten', (items: Record<string, unknown>[], key?: string) => items.flatMap((item) => (key === undefined ? item : (item[key] as unknown[] | undefined) ?? [])));
  env.addFilter('regex_replace', (text: string, pattern: string, replacement: string, flags = '') =>
    String(text).replace(new RegExp(pattern, flags.includes('g') ? flags : `g${flags}`), replacement));
  for (const [name, check] of Object.entries(PLAIN_CHECKS)) env.addFilter(name, (value: unknown) => checked(name, check, value));
  env.addGlobal('fail_object', () => '');
  env.addGlobal('warn_object', () => '');
  env.addGlobal('rejected_objects', () => []);
  // The same certificate check (node:crypto, cached per Secret): a plain version would skip the parsing informant does.
  for (const [name, fn] of Object.entries(TLS_GLOBALS)) env.addGlobal(name, fn);
  const template = env.getTemplate(`${TEMPLATE}.njk`, true);
  const data = dataset(params.count);
  for (const objects of Object.values(data)) for (const obj of objects) stripLikeTheExample(obj);
  const sliceKey = (o: KubeObject): string => `${o.metadata.namespace}/${o.metadata.labels!['kubernetes.io/service-name']}`;
  const resources = {
    ingresses: new PlainView(data.ingresses, (o) => `${o.metadata.namespace}/${o.metadata.name}`),
    services: new PlainView(data.services, (o) => `${o.metadata.namespace}/${o.metadata.name}`),
    endpointslices: new PlainView(data.endpointslices, sliceKey),
    secrets: new PlainView(data.secrets, (o) => `${o.metadata.namespace}/${o.metadata.name}`),
  };
  const context = {
    resources: Object.fromEntries(Object.entries(resources).map(([name, view]) => [name, view.asArray()])),
    vars: config.vars,
  };
  return timeRenders(params, async () => template.render(context), (slice) => resources.endpointslices.replace(stripLikeTheExample(slice)));
}

/**
 * A FileSystemLoader that gives bare nunjucks the example's templates without their
 * `{% memo %}` and `{% endmemo %}` lines (informant's tag; each stands on a line of its
 * own, which trimBlocks would remove with it). Without the tags, a block's variables are
 * the enclosing loop's, and its exports simply the variables it sets: the same output,
 * which the benchmark checks.
 */
function WithoutMemoTags(nunjucks: typeof import('nunjucks'), folder: string): import('nunjucks').ILoader {
  const loader = new nunjucks.FileSystemLoader(folder);
  const getSource = loader.getSource.bind(loader);
  return Object.assign(loader, {
    getSource(name: string) {
      const source = getSource(name);
      return source === null ? null : { ...source, src: source.src.replace(/^[ \t]*\{%-?\s*(?:memo\b[^%]*|endmemo\s*)-?%\}\n/gm, '') };
    },
  });
}

/**
 * Removes what examples/config.yaml's remove_fields remove (managedFields, the
 * last-applied annotation, an Ingress's status), in place: bare nunjucks renders from the
 * same objects informant's stores hold, so both heaps (and their GC costs) compare.
 */
function stripLikeTheExample(obj: KubeObject): KubeObject {
  delete obj.metadata.managedFields;
  delete obj.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
  if (obj.kind === 'Ingress') delete obj.status;
  return obj;
}

/** One warm-up render, then `renders` timed renders, each after `change` of one EndpointSlice. */
async function timeRenders(
  params: RenderParams,
  render: () => Promise<string>,
  change: (slice: KubeObject) => void,
): Promise<RenderResult> {
  let output = await render();
  const ms: number[] = [];
  for (let r = 1; r <= params.renders; r++) {
    change(endpointSlice(r % params.count, r));
    const started = performance.now();
    output = await render();
    ms.push(performance.now() - started);
  }
  return { ms, sha256: createHash('sha256').update(output).digest('hex'), chars: output.length };
}

/** The objects of both contenders, by watched resource name. */
function dataset(count: number): Record<'ingresses' | 'services' | 'endpointslices' | 'secrets', KubeObject[]> {
  const ingresses: KubeObject[] = [];
  const services: KubeObject[] = [];
  const endpointslices: KubeObject[] = [];
  const secrets: KubeObject[] = [];
  for (let i = 0; i < count; i++) {
    ingresses.push(ingress(i));
    services.push(service(i));
    endpointslices.push(endpointSlice(i));
    secrets.push(secret(i));
  }
  return { ingresses, services, endpointslices, secrets };
}

/**
 * The validators a template author would write for stock nunjucks: the same character
 * checks as src/templates/validators.ts, failing the render instead of leaving an object
 * out (the benchmark's objects are all valid).
 */
const PLAIN_CHECKS: Readonly<Record<string, (value: unknown) => boolean>> = Object.freeze({
  dns_name: (v) => typeof v === 'string' && v.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(v),
  ingress_host: (v) => typeof v === 'string' && v.length <= 255 && /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(v),
  http_path: (v) => typeof v === 'string' && v.length <= 1024 && /^\/[A-Za-z0-9._~/-]*$/.test(v) && !v.includes('//') && !/\/\.\.?(\/|$)/.test(v),
  safe_id: (v) => (typeof v === 'string' || typeof v === 'number') && /^[A-Za-z0-9.:][A-Za-z0-9.:-]*$/.test(String(v)),
  port: (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535,
  ip_address: (v) => typeof v === 'string' && /^[0-9A-Fa-f:.]+$/.test(v),
});

function checked(name: string, check: (value: unknown) => boolean, value: unknown): unknown {
  if (!check(value)) throw new Error(`${name}: invalid value`);
  return typeof value === 'number' && name === 'safe_id' ? String(value) : value;
}

/**
 * What a template author would hand bare nunjucks: an array sorted by namespace/name
 * carrying Get/GetSingle/List/Fetch methods backed by a Map of `key` → objects.
 */
class PlainView {
  readonly #array: KubeObject[];
  readonly #byKey = new Map<string, KubeObject[]>();
  readonly #key: (obj: KubeObject) => string;

  constructor(objects: KubeObject[], key: (obj: KubeObject) => string) {
    this.#key = key;
    this.#array = [...objects].sort(byNamespaceName);
    for (const obj of this.#array) {
      const k = key(obj);
      const list = this.#byKey.get(k);
      if (list) list.push(obj);
      else this.#byKey.set(k, [obj]);
    }
    const get = (...keys: string[]): KubeObject[] => this.#byKey.get(keys.join('/')) ?? [];
    Object.assign(this.#array, {
      List: () => this.#array,
      Get: get,
      Fetch: get,
      GetSingle: (...keys: string[]) => get(...keys)[0] ?? null,
    });
  }

  asArray(): KubeObject[] {
    return this.#array;
  }

  /** Replaces the object with the same namespace/name (same key) in place. */
  replace(obj: KubeObject): void {
    const same = (o: KubeObject): boolean => o.metadata.namespace === obj.metadata.namespace && o.metadata.name === obj.metadata.name;
    this.#array[this.#array.findIndex(same)] = obj;
    const list = this.#byKey.get(this.#key(obj))!;
    list[list.findIndex(same)] = obj;
  }
}

function byNamespaceName(a: KubeObject, b: KubeObject): number {
  const an = `${a.metadata.namespace}\0${a.metadata.name}`;
  const bn = `${b.metadata.namespace}\0${b.metadata.name}`;
  return an < bn ? -1 : an > bn ? 1 : 0;
}

function compare(a: unknown, b: unknown): number {
  if (a === undefined || a === null || b === undefined || b === null) {
    return (a === undefined || a === null) === (b === undefined || b === null) ? 0 : a === undefined || a === null ? 1 : -1;
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const as = String(a);
  const bs = String(b);
  return as < bs ? -1 : as > bs ? 1 : 0;
}

function sortBy(items: Record<string, unknown>[], key: string): Record<string, unknown>[] {
  return [...items].sort((a, b) => compare(a[key], b[key]));
}

function unique(items: Record<string, unknown>[], key?: string): unknown[] {
  if (key === undefined) return [...new Set(items)];
  const seen = new Set<unknown>();
  return items.filter((item) => !seen.has(item[key]) && seen.add(item[key]) !== undefined);
}

function groupBy(items: Record<string, unknown>[], key: string): Array<{ key: unknown; items: unknown[] }> {
  const groups = new Map<unknown, unknown[]>();
  for (const item of items) {
    const k = item[key] ?? null;
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return [...groups].map(([k, members]) => ({ key: k, items: members })).sort((a, b) => compare(a.key, b.key));
}
