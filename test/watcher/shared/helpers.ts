/**
 * Test helpers for the shared source: objects written straight into a repository under the
 * key layout (as a publisher would, without metadata.cluster), and source configs.
 */
import type { SharedSourceConfig } from '../../../src/config/types.ts';
import type { KubeObject } from '../../../src/k8s.ts';
import type { Repository, Revision } from '../../../src/kv/index.ts';
import { KeyLayout } from '../../../src/kv/layout.ts';
import { silentLogger } from '../../../src/log.ts';
import { SharedSource } from '../../../src/watcher/shared/index.ts';
import type { SourceHarness } from '../index-keys-contract.ts';

export { RecordingSink } from '../files/helpers.ts';

/** The prefix the tests publish under. */
export const PREFIX = 'informant';
export const LAYOUT = new KeyLayout(PREFIX);

/** A source.shared config of the memory backend (sources given a repository never connect with it). */
export function sourceConfig(overrides: Partial<SharedSourceConfig> = {}): SharedSourceConfig {
  return { backend: 'memory', prefix: PREFIX, settings: { name: 'default' }, clusters: 'all', ...overrides };
}

/** A Service-like object. */
export function service(namespace: string, name: string, extra: { labels?: Record<string, string>; rv?: string; port?: number } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace, name, uid: `uid-${namespace}-${name}`, resourceVersion: extra.rv ?? '1', ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: { ports: [{ port: extra.port ?? 80 }] },
  };
}

/** The key of a core-group Service in `cluster`. */
export function serviceKey(cluster: string, obj: KubeObject): string {
  return LAYOUT.keyOf({ group: '', resource: 'services', cluster, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name });
}

/** Writes `obj` (create or update) as a publisher would; resolves to the revision. */
export async function publish(repository: Repository, cluster: string, obj: KubeObject): Promise<Revision> {
  const key = serviceKey(cluster, obj);
  const value = JSON.stringify(obj);
  return (await repository.get(key)) ? repository.update(key, value) : repository.create(key, value);
}

/** Removes `obj` as a publisher would. */
export async function unpublish(repository: Repository, cluster: string, obj: KubeObject): Promise<void> {
  await repository.delete(serviceKey(cluster, obj));
}

/** "cluster/namespace/name" of each object, sorted. */
export function where(objects: Iterable<KubeObject>): string[] {
  return [...objects].map((o) => `${String(o.metadata.cluster)}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();
}

/** The index-keys contract's harness over a SharedSource reading `repository` (owned by the caller), under `prefix`. */
export function contractHarness(repository: Repository, options: { prefix: string }): SourceHarness {
  const layout = new KeyLayout(options.prefix);
  const key = (obj: KubeObject): string =>
    layout.keyOf({ group: 'networking.k8s.io', resource: 'ingresses', cluster: 'east', namespace: obj.metadata.namespace ?? '', name: obj.metadata.name });
  let version = 0;
  let source: SharedSource | undefined;
  return {
    put: async (obj) => {
      const value = JSON.stringify({ ...obj, metadata: { ...obj.metadata, uid: `uid-${obj.metadata.name}`, resourceVersion: String(++version) } });
      if (await repository.get(key(obj))) await repository.update(key(obj), value);
      else await repository.create(key(obj), value);
    },
    remove: async (obj) => void (await repository.delete(key(obj))),
    start: async (resources, sinks) => {
      const config = sourceConfig({ prefix: options.prefix });
      source = new SharedSource({ config, resources, logger: silentLogger(), repository, backoff: { initialMs: 50, capMs: 500 } });
      await source.start(sinks);
    },
    close: async () => {
      await source?.stop();
    },
  };
}
