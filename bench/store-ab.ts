/**
 * The store of two source trees side by side, in one process, interleaved: MemoryStore and
 * Indexer of this tree against those of another checkout (say, the commit before a
 * change), each filled with the same N Pods (index_by namespace and name, the default
 * remove_fields), then the same operations timed round after round, the two trees
 * alternating which goes first. Both run under the same load at the same moment, so the
 * ratio holds on a busy machine where separate runs would not. Single-valued keys only:
 * what must not get slower.
 *
 *   node --expose-gc --max-old-space-size=8192 bench/store-ab.ts --base /path/to/other/tree [--count 100000] [--rounds 30]
 *
 * (`git archive <commit> | tar -x -C /tmp/base` and a node_modules symlink make a tree.)
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { KubeObject } from '../src/k8s.ts';
import { pod } from './support/objects.ts';
import { median } from './support/stats.ts';

const DEFAULTS = Object.freeze({ count: 100_000, rounds: 30, updates: 5_000, gets: 200_000 });

/** What each tree provides: a store filled through an indexer, and the stripper. */
interface Tree {
  label: string;
  store: { get(...keys: string[]): unknown; update(obj: KubeObject, key: string[]): void };
  indexer: { update(obj: KubeObject): void };
  strip(obj: KubeObject): KubeObject;
}

async function load(label: string, root: string, base: KubeObject[]): Promise<Tree> {
  const module = (file: string) => import(pathToFileURL(path.join(root, file)).href);
  const { MemoryStore } = await module('src/store/memory-store.ts');
  const { Indexer, FieldStripper } = await module('src/indexer/index.ts');
  const { silentLogger } = await module('src/log.ts');
  const removeFields = ['metadata.managedFields', "metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']"];
  const resource = {
    name: 'pods', apiVersion: 'v1', kind: 'Pod', namespace: '', labelSelector: '', fieldSelector: '',
    indexBy: ['metadata.namespace', 'metadata.name'], removeFields, store: 'full',
  };
  const store = new MemoryStore({ name: 'pods', keyCount: 2 });
  const indexer = new Indexer({ resource, store, logger: silentLogger() });
  indexer.replace(base.map((obj) => structuredClone(obj)));
  const stripper = new FieldStripper(removeFields);
  return { label, store, indexer, strip: (obj) => stripper.strip(obj) };
}

/** Operations per second of `ops` operations done by `body`. */
function rate(ops: number, body: () => void): number {
  const started = performance.now();
  body();
  return (ops * 1000) / (performance.now() - started);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { base: { type: 'string' }, count: { type: 'string' }, rounds: { type: 'string' } } });
  if (values.base === undefined) throw new Error('--base: the other source tree to compare with is required');
  const count = Number(values.count ?? DEFAULTS.count);
  const rounds = Number(values.rounds ?? DEFAULTS.rounds);
  const stride = Math.floor(count / DEFAULTS.updates);
  const withRv = (obj: KubeObject, rv: number): KubeObject => ({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } });
  const base = Array.from({ length: count }, (_, i) => withRv(pod(i), i + 1));
  const trees = [await load('base', path.resolve(values.base), base), await load('this tree', path.join(import.meta.dirname, '..'), base)];
  let generation = 1;
  const versions = (): KubeObject[] => {
    const g = ++generation;
    return Array.from({ length: DEFAULTS.updates }, (_, u) => withRv(pod((u * stride) % count, g), g * count * 10 + u));
  };
  const keyed = (objects: KubeObject[], tree: Tree) => objects.map((obj) => ({ obj: tree.strip(obj), key: [obj.metadata.namespace!, obj.metadata.name] }));
  const names = Array.from({ length: DEFAULTS.gets }, (_, g) => base[(g * 7919) % count]!.metadata);
  const namespaces = names.map((m) => m.namespace!);
  const results = new Map<string, Map<string, number[]>>(trees.map((t) => [t.label, new Map()]));
  const record = (tree: Tree, operation: string, value: number) => {
    const perTree = results.get(tree.label)!;
    perTree.set(operation, [...(perTree.get(operation) ?? []), value]);
  };
  for (let round = 0; round < rounds; round++) {
    for (const tree of round % 2 === 0 ? trees : [...trees].reverse()) {
      record(tree, 'exact get', rate(names.length, () => names.forEach((m) => tree.store.get(m.namespace!, m.name))));
      record(tree, 'prefix get', rate(namespaces.length, () => namespaces.forEach((ns) => tree.store.get(ns))));
      const updates = keyed(versions(), tree);
      record(tree, 'update', rate(updates.length, () => updates.forEach(({ obj, key }) => tree.store.update(obj, key))));
      const mixed = keyed(versions(), tree);
      record(tree, 'update + prefix get', rate(mixed.length, () => mixed.forEach(({ obj, key }) => (tree.store.update(obj, key), tree.store.get(key[0]!)))));
      const raw = versions();
      record(tree, 'update via indexer', rate(raw.length, () => raw.forEach((obj) => tree.indexer.update(obj))));
    }
  }
  process.stdout.write(`${count.toLocaleString('en-US')} Pods, ${rounds} rounds (medians, ops/s)\n`);
  for (const operation of results.get('base')!.keys()) {
    const [a, b] = trees.map((t) => median(results.get(t.label)!.get(operation)!));
    process.stdout.write(`| ${operation} | ${Math.round(a!).toLocaleString('en-US')} | ${Math.round(b!).toLocaleString('en-US')} | ${(b! / a!).toFixed(2)}x |\n`);
  }
}

await main();
