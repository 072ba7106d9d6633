/**
 * The memory backend: MemoryRepository (repository.ts), the reference every backend is
 * held to. As a backend its repositories live as long as the process: each name is one
 * repository, shared by every publisher and source of the process that names it, never
 * closed by them (a handle's close() only lets go of it).
 */
import type { KvBackend } from '../backend.ts';
import { RepositoryHandle } from '../shared-connections.ts';
import { KV_MAX_REQUEST_BYTES } from '../types.ts';
import { MemoryRepository } from './repository.ts';

export { MemoryRepository, type MemoryRepositoryOptions } from './repository.ts';

/** What the memory backend's settings hold. */
export interface MemorySettings {
  /** The repository's name within the process. */
  readonly name: string;
}

/** A `memory` kv backend with repositories of its own (one per backend instance, so per registry). */
export function memoryKvBackend(): KvBackend<MemorySettings> & { repository(name: string): MemoryRepository } {
  const repositories = new Map<string, MemoryRepository>();
  const repository = (name: string): MemoryRepository => {
    let found = repositories.get(name);
    if (found === undefined) {
      found = new MemoryRepository({ maxRequestBytes: KV_MAX_REQUEST_BYTES });
      repositories.set(name, found);
    }
    return found;
  };
  return Object.freeze({
    name: 'memory',
    repository,
    connect: (settings: MemorySettings) => new RepositoryHandle(repository(settings.name), async () => undefined),
  });
}
