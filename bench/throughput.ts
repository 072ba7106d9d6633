/**
 * Throughput of a shared-store backend: how many changes per second go from a publisher
 * to a renderer's store, through etcd and through PostgreSQL in the same run. One process
 * (the runner) holds both ends, as informant wires them: a PublishedStore and its
 * Publisher (batches of up to 128 objects, each one transaction) on one side, a
 * SharedSource feeding an Indexer and a MemoryStore on the other, each with its own
 * connection. Measured: N Services created, then each of them updated once, each time
 * from the first change until the renderer's store holds the last one.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { WatchedResourceConfig } from '../src/config/types.ts';
import { Indexer } from '../src/indexer/index.ts';
import type { KubeObject } from '../src/k8s.ts';
import { silentLogger } from '../src/log.ts';
import { publishedResource } from '../src/publish/objects.ts';
import { Publisher } from '../src/publish/publisher.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import { PublishedStore } from '../src/store/published-store.ts';
import { systemClock } from '../src/time/clock.ts';
import { SharedSource } from '../src/watcher/shared/index.ts';
import type { SharedStoreKind, TestSharedStore } from '../test/support/shared-stores.ts';
import { service } from './support/objects.ts';
import { ratio, row, type Row, type Section } from './support/report.ts';

const DEFAULTS = Object.freeze({
  /** ms between two looks at the renderer's store. */
  pollMs: 2,
  /** ms a phase may take before the run fails (a safety net). */
  timeoutMs: 300_000,
});

const SERVICES: WatchedResourceConfig = {
  name: 'services',
  apiVersion: 'v1',
  kind: 'Service',
  namespace: '',
  labelSelector: '',
  fieldSelector: '',
  indexBy: ['metadata.namespace', 'metadata.name'],
  removeFields: [],
  store: 'published',
};

/** The section: changes per second through each backend, and PostgreSQL's over etcd's. */
export async function measureThroughput(kinds: readonly SharedStoreKind[], objects: number): Promise<Section> {
  const rows: Row[] = [];
  for (const kind of kinds) {
    const store = await kind.start();
    try {
      rows.push(...(await throughputOf(store, kind.name, objects)));
    } finally {
      await store.stop();
    }
  }
  const of = (name: string, what: string) => rows.find((r) => r.label.startsWith(name) && r.label.includes(what));
  const ratios = ['creates', 'updates'].flatMap((what) => {
    const [postgres, etcd] = [of('PostgreSQL', what), of('etcd', what)];
    return postgres && etcd ? [ratio(`changes/s (${what}): PostgreSQL / etcd`, postgres, etcd)] : [];
  });
  return {
    id: 'fanout-throughput',
    title: `8b. Throughput per backend: ${objects} Services from a publisher to a renderer's store`,
    rows,
    ratios,
    notes: [
      'Publisher and renderer in the runner process, each with its own connection to the store on loopback; Services of ~1 KB of JSON (managedFields included).',
      'A create or update of each Service is one change; the publisher commits them in transactions of up to 128; the figure runs from the first change until the renderer\'s store holds the last.',
    ],
  };
}

async function throughputOf(store: TestSharedStore, name: string, objects: number): Promise<Row[]> {
  const label = name === 'postgres' ? 'PostgreSQL' : name;
  const published = new PublishedStore({ name: 'services', keyCount: 2 });
  const publisher = new Publisher({
    config: { ...store.config(), cluster: 'bench' },
    resources: [publishedResource(SERVICES, published)],
    connect: () => store.connect(),
    claim: { identity: 'bench', epoch: 1n },
    waitForSync: async () => undefined,
    clock: systemClock,
    logger: silentLogger(),
  });
  void publisher.start();
  const received = new MemoryStore({ name: 'services', keyCount: 2 });
  const source = new SharedSource({ config: { prefix: 'informant', clusters: 'all' }, resources: [SERVICES], logger: silentLogger(), connect: () => store.connect() });
  try {
    await until(() => publisher.state().phase === 'publishing', `${name}: the publisher publishing`);
    await source.start(new Map([['services', new Indexer({ resource: SERVICES, store: received, logger: silentLogger() })]]));
    await until(() => source.status()[0]?.synced === true, `${name}: the source synced`);
    const keysOf = (obj: KubeObject): string[] => [obj.metadata.namespace ?? '', obj.metadata.name];
    const started = performance.now();
    for (let i = 0; i < objects; i++) published.add(service(i), keysOf(service(i)));
    await until(() => received.size() === objects, `${name}: every create arrived`);
    const created = performance.now();
    for (let i = 0; i < objects; i++) {
      const next = { ...service(i), metadata: { ...service(i).metadata, resourceVersion: '2' } };
      published.add(next, keysOf(next));
    }
    const last = service(objects - 1);
    await until(() => received.get(...keysOf(last))[0]?.metadata.resourceVersion === '2', `${name}: the last update arrived`);
    const updated = performance.now();
    return [
      row(`${label}: ${objects} creates, publisher to a renderer's store`, 'changes/s', [objects / ((created - started) / 1000)]),
      row(`${label}: ${objects} updates, publisher to a renderer's store`, 'changes/s', [objects / ((updated - created) / 1000)]),
    ];
  } finally {
    await source.stop();
    await publisher.stop();
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + DEFAULTS.timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`throughput: timed out waiting for ${what}`);
    await sleep(DEFAULTS.pollMs);
  }
}
