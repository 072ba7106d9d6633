/**
 * Helpers for publisher tests: a published store with objects, a publisher over a
 * repository, and waiting for what the repository holds.
 */
import type { PublishConfig } from '../../../src/config/types.ts';
import type { Repository } from '../../../src/kv/index.ts';
import type { KubeObject } from '../../../src/k8s.ts';
import { silentLogger } from '../../../src/log.ts';
import { publishedResource, type PublishedResource } from '../../../src/publish/objects.ts';
import { Publisher, type PublisherOptions } from '../../../src/publish/publisher.ts';
import { PublishedStore } from '../../../src/store/published-store.ts';
import { watchedResource } from '../../support/builders.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { FlakyRepository } from './flaky-repository.ts';

/** publish for `cluster` (the backend's settings are not used by injected repositories). */
export function publishConfig(cluster: string): PublishConfig {
  return { backend: 'memory', prefix: 'informant', settings: { name: 'default' }, cluster };
}

/** A Service object. */
export function service(namespace: string, name: string, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name, ...extra }, spec: { ports: [{ port: 80 }] } };
}

/** A published store of Services and its PublishedResource. */
export function servicesResource(objects: KubeObject[] = []): PublishedResource {
  const store = new PublishedStore({ name: 'services', keyCount: 2 });
  for (const obj of objects) store.add(obj, [obj.metadata.namespace ?? '', obj.metadata.name]);
  return publishedResource(
    watchedResource('services', { kind: 'Service', indexBy: [], store: 'published' }),
    store,
  );
}

/** Adds (or replaces) `obj` in the resource's store. */
export function put(resource: PublishedResource, obj: KubeObject): void {
  resource.store.add(obj, [obj.metadata.namespace ?? '', obj.metadata.name]);
}

/** A publisher over `repository`, synced at once, on a fake clock with no jitter. */
export function publisherOf(
  repository: Repository,
  resources: PublishedResource[],
  overrides: Partial<PublisherOptions> = {},
): { publisher: Publisher; clock: FakeClock; errors: Error[] } {
  const clock = new FakeClock();
  const errors: Error[] = [];
  const publisher = new Publisher({
    config: publishConfig('east'),
    resources,
    // Publishers close their connection on stop; the repository the test shares stays open.
    connect: () => (repository instanceof FlakyRepository ? repository : new FlakyRepository(repository)),
    claim: { identity: 'informant-a', epoch: 1n },
    waitForSync: () => Promise.resolve(),
    clock,
    random: () => 0.5,
    logger: silentLogger(),
    onError: (err) => errors.push(err),
    ...overrides,
  });
  return { publisher, clock, errors };
}

/** key → parsed value of every record under `prefix`. */
export async function contents(repository: Repository, prefix: string): Promise<Map<string, unknown>> {
  const listing = await repository.list(prefix);
  return new Map(listing.records.map((record) => [record.key, JSON.parse(record.value) as unknown]));
}
