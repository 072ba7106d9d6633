/**
 * Builds the source a config names: a folder of manifests, a Kubernetes API server, or
 * the objects informant publishers wrote into a shared store.
 */
import type { Config } from '../config/types.ts';
import { SharedConnections } from '../kv/shared-connections.ts';
import type { Logger } from '../log.ts';
import { SharedSource } from '../watcher/shared/index.ts';
import { connectionKey, createSharedBackends, openRepository, type SharedBackendRegistry } from './shared-backends.ts';
import { FilesSource } from '../watcher/files/index.ts';
import type { Source, WatchError } from '../watcher/index.ts';
import { KubernetesSource, type SharedWatches } from '../watcher/kubernetes/index.ts';
import { metadataOnlyResources } from './on-demand.ts';

/** How the controller wants a source to behave. */
export interface SourceSettings {
  /** Follow changes after the initial state (`run`), or deliver the current state only. */
  watch: boolean;
  /** Hears problems of the source (a malformed manifest) that do not stop it. */
  onError: (err: WatchError) => void;
  /** The controller's shared connections (source.shared); default: a connection per source. */
  sharedConnections?: SharedConnections;
  /** The shared-store backends (source.shared); default: the built-in ones. */
  sharedBackends?: SharedBackendRegistry;
  /** The controller's shared Kubernetes connections and watches (one list/watch per kind); default: per source. */
  kubernetesWatches?: SharedWatches;
}

/** The source of `config.source`, for its watched resources. */
export function createSource(config: Config, logger: Logger, settings: SourceSettings): Source {
  const resources = config.watchedResources;
  if (config.source.kind === 'files' && config.source.files) {
    const files = config.source.files;
    return new FilesSource({
      ...files,
      watch: files.watch && settings.watch,
      resources,
      logger,
      onError: settings.onError,
      limits: config.limits,
    });
  }
  if (config.source.kind === 'kubernetes' && config.source.kubernetes) {
    // On-demand stores keep references only: watch their metadata, fetch bodies when read.
    const metadataOnly = metadataOnlyResources(resources);
    const watches = settings.kubernetesWatches;
    return new KubernetesSource({ config: config.source.kubernetes, resources, logger, metadataOnly, ...(watches ? { watches } : {}) });
  }
  if (config.source.kind === 'shared' && config.source.shared) {
    const shared = config.source.shared;
    const backends = settings.sharedBackends ?? createSharedBackends();
    const connections = settings.sharedConnections ?? new SharedConnections();
    return new SharedSource({
      config: shared,
      resources,
      logger,
      watch: settings.watch,
      onError: settings.onError,
      connect: (log: Logger) => connections.acquire(connectionKey(shared), () => openRepository(backends, shared, log)),
      maxObjectBytes: config.limits.maxObjectBytes,
    });
  }
  throw new Error(`source "${config.source.kind}" has no settings`);
}
