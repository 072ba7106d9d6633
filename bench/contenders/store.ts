/**
 * The store-operation contenders, over N Pods held in memory (no network):
 * - `informant`: a MemoryStore filled through an Indexer (default remove_fields, index_by
 *   namespace and name). Exact get is `get(ns, name)`, prefix get `get(ns)` (a sorted,
 *   frozen array), an update is `store.update(obj, key)` of an already stripped object
 *   (which deep-freezes it), and `indexer.update(obj)` adds stripping and key extraction.
 *   The same Pods carrying 10 host aliases are also indexed by
 *   [metadata.namespace, spec.hostAliases[*].hostnames[*]] (10 keys per object) and by
 *   [metadata.namespace, metadata.name] (one key), in stores of their own: the cost of a
 *   multi-valued index_by against a single-valued one, over the same objects.
 * - `clientNode`: client-node's ListWatch cache (namespace → name → object), driven through
 *   its own methods: `get(name, ns)`, `list(ns)` (unsorted) and, per update, the handler
 *   its watch calls for a MODIFIED event.
 * Every operation runs once untimed (JIT warm-up, caches built) before it is timed.
 */
import { performance } from 'node:perf_hooks';
import { ListWatch, type KubernetesObject } from '@kubernetes/client-node';
import { DEFAULTS as CONFIG_DEFAULTS } from '../../src/config/defaults.ts';
import type { WatchedResourceConfig } from '../../src/config/types.ts';
import { FieldStripper, Indexer } from '../../src/indexer/index.ts';
import type { KubeObject } from '../../src/k8s.ts';
import { silentLogger } from '../../src/log.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { namespaceOf, pod, SHAPE } from '../support/objects.ts';

export interface StoreParams {
  /** Objects in the store. */
  count: number;
  /** Lookups per get measurement. */
  gets: number;
  /** Updates per update measurement (each a new version of an object). */
  updates: number;
}

/** Operations per second, by operation. */
export type StoreResult = Record<string, number>;

/** The operations, in table order. */
export const OPERATIONS = Object.freeze({
  /** get(namespace, name) / get(name, namespace). */
  exact: 'exact get',
  /** get(namespace) / list(namespace), nothing changed since the last read. */
  prefix: 'prefix get',
  /** An update, then a prefix get of the updated object's namespace. */
  prefixAfterUpdate: 'update + prefix get',
  /** A new version of an object into the store (informant: already stripped and keyed). */
  update: 'update',
  /** informant only: indexer.update, the whole per-event work after JSON.parse. */
  ingest: 'update via indexer',
  /** informant only: indexer.update of Pods with 10 host aliases, index_by namespace and name (1 key). */
  ingestOneKey: 'update via indexer, 1 key (Pods with host aliases)',
  /** informant only: the same Pods indexed by namespace and each host alias (10 keys per object). */
  ingestTenKeys: 'update via indexer, 10 keys (Pods with host aliases)',
});

/** Host aliases per Pod in the multi-valued key comparison. */
const ALIASES = 10;

interface Keyed {
  obj: KubeObject;
  key: string[];
}

/** informant's MemoryStore (filled through an Indexer). */
export async function informant(params: StoreParams): Promise<StoreResult> {
  const resource: WatchedResourceConfig = {
    name: 'pods', apiVersion: 'v1', kind: 'Pod', namespace: '', labelSelector: '', fieldSelector: '',
    indexBy: [...CONFIG_DEFAULTS.indexBy], removeFields: [...CONFIG_DEFAULTS.removeFields], store: 'full',
  };
  const store = new MemoryStore({ name: 'pods', keyCount: 2 });
  const indexer = new Indexer({ resource, store, logger: silentLogger() });
  const base = pods(params.count);
  indexer.replace(base);
  const keys = sampleKeys(base, params.gets);
  const namespaces = namespaceList(params.gets);
  const stripper = new FieldStripper(resource.removeFields);
  const keyed = (obj: KubeObject): Keyed => ({ obj: stripper.strip(obj), key: [obj.metadata.namespace!, obj.metadata.name] });
  const stripped = (g: number): Keyed[] => versions(params, g).map(keyed);
  const [warm1, timed1, warm2, timed2] = [stripped(1), stripped(2), stripped(3), stripped(4)];
  const [warm3, timed3] = [versions(params, 5), versions(params, 6)];
  const prefixAfterUpdate = (entries: Keyed[]) => (): void => {
    for (const { obj, key } of entries) {
      store.update(obj, key);
      store.get(key[0]!);
    }
  };
  const update = (entries: Keyed[]) => (): void => {
    for (const { obj, key } of entries) store.update(obj, key);
  };
  const ingest = (objects: KubeObject[]) => (): void => {
    for (const obj of objects) indexer.update(obj);
  };
  return {
    ...keyCountRates(params),
    [OPERATIONS.exact]: rate(keys.length, () => {
      for (const [ns, name] of keys) store.get(ns, name);
    }),
    [OPERATIONS.prefix]: rate(namespaces.length, () => {
      for (const ns of namespaces) store.get(ns);
    }),
    [OPERATIONS.prefixAfterUpdate]: rate(timed1.length, prefixAfterUpdate(timed1), prefixAfterUpdate(warm1)),
    [OPERATIONS.update]: rate(timed2.length, update(timed2), update(warm2)),
    [OPERATIONS.ingest]: rate(timed3.length, ingest(timed3), ingest(warm3)),
  };
}

/**
 * indexer.update throughput over Pods with ALIASES host aliases, indexed by one key per
 * object and by ALIASES keys per object, each into a store of its own filled first.
 */
function keyCountRates(params: StoreParams): StoreResult {
  const rates: StoreResult = {};
  const runs: Array<[string, string[]]> = [
    [OPERATIONS.ingestOneKey, ['metadata.namespace', 'metadata.name']],
    [OPERATIONS.ingestTenKeys, ['metadata.namespace', 'spec.hostAliases[*].hostnames[*]']],
  ];
  for (const [operation, indexBy] of runs) {
    const resource: WatchedResourceConfig = {
      name: 'pods', apiVersion: 'v1', kind: 'Pod', namespace: '', labelSelector: '', fieldSelector: '',
      indexBy, removeFields: [...CONFIG_DEFAULTS.removeFields], store: 'full',
    };
    const indexer = new Indexer({ resource, store: new MemoryStore({ name: 'pods', keyCount: 2 }), logger: silentLogger() });
    indexer.replace(pods(params.count).map(withAliases));
    const [warm, timed] = [versions(params, 7).map(withAliases), versions(params, 8).map(withAliases)];
    const ingest = (objects: KubeObject[]) => (): void => {
      for (const obj of objects) indexer.update(obj);
    };
    rates[operation] = rate(timed.length, ingest(timed), ingest(warm));
  }
  return rates;
}

/** `pod` with ALIASES host names of its own (spec.hostAliases, a Pod field). */
function withAliases(pod: KubeObject): KubeObject {
  const hostnames = Array.from({ length: ALIASES }, (_, i) => `alias-${i}.${pod.metadata.name}.example`);
  return { ...pod, spec: { ...(pod.spec as object), hostAliases: [{ ip: '10.1.2.3', hostnames }] } };
}

/** client-node's ListWatch cache. */
export async function clientNode(params: StoreParams): Promise<StoreResult> {
  const noWatch = { watch: () => Promise.reject(new Error('not used')) };
  const cache = new ListWatch<KubernetesObject>('/api/v1/pods', noWatch as never, () => Promise.reject(new Error('not used')), false);
  const internals = cache as unknown as {
    addOrUpdateItems(items: KubeObject[]): void;
    watchHandler(phase: string, obj: KubeObject): Promise<void>;
  };
  const base = pods(params.count);
  internals.addOrUpdateItems(base);
  const keys = sampleKeys(base, params.gets);
  const namespaces = namespaceList(params.gets);
  const [warm1, timed1, warm2, timed2] = [versions(params, 1), versions(params, 2), versions(params, 3), versions(params, 4)];
  const prefixAfterUpdate = (objects: KubeObject[]) => (): void => {
    for (const obj of objects) {
      void internals.watchHandler('MODIFIED', obj);
      cache.list(obj.metadata.namespace);
    }
  };
  const update = (objects: KubeObject[]) => (): void => {
    for (const obj of objects) void internals.watchHandler('MODIFIED', obj);
  };
  return {
    [OPERATIONS.exact]: rate(keys.length, () => {
      for (const [ns, name] of keys) cache.get(name, ns);
    }),
    [OPERATIONS.prefix]: rate(namespaces.length, () => {
      for (const ns of namespaces) cache.list(ns);
    }),
    [OPERATIONS.prefixAfterUpdate]: rate(timed1.length, prefixAfterUpdate(timed1), prefixAfterUpdate(warm1)),
    [OPERATIONS.update]: rate(timed2.length, update(timed2), update(warm2)),
  };
}

/** Operations per second of `ops` operations done by `body`, after `warm` ran once untimed. */
function rate(ops: number, body: () => void, warm: () => void = body): number {
  warm();
  const started = performance.now();
  body();
  return (ops * 1000) / (performance.now() - started);
}

/** Pods 0..count-1, with resourceVersions as a server would set them. */
function pods(count: number): KubeObject[] {
  const out: KubeObject[] = [];
  for (let i = 0; i < count; i++) out.push(withRv(pod(i), i + 1));
  return out;
}

/** New versions (generation `g`) of `updates` Pods spread over the store. */
function versions(params: StoreParams, g: number): KubeObject[] {
  const stride = Math.max(1, Math.floor(params.count / params.updates));
  const out: KubeObject[] = [];
  for (let u = 0; u < params.updates; u++) out.push(withRv(pod((u * stride) % params.count, g), g * params.count * 10 + u));
  return out;
}

/** `gets` (namespace, name) pairs of objects in the store, spread evenly. */
function sampleKeys(objects: readonly KubeObject[], gets: number): Array<[string, string]> {
  const keys: Array<[string, string]> = [];
  for (let g = 0; g < gets; g++) {
    const { metadata } = objects[(g * 7919) % objects.length]!;
    keys.push([metadata.namespace!, metadata.name]);
  }
  return keys;
}

/** `gets` namespaces, cycling over all of them. */
function namespaceList(gets: number): string[] {
  const all = Array.from({ length: SHAPE.namespaces }, (_, i) => namespaceOf(i));
  return Array.from({ length: gets }, (_, g) => all[g % all.length]!);
}

function withRv(obj: KubeObject, rv: number): KubeObject {
  obj.metadata.resourceVersion = String(rv);
  return obj;
}
