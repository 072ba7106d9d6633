/**
 * The Kubernetes source: an informer-grade reflector per watched resource (paginated
 * list, watch with bookmarks, resume, relist on 410, backoff with jitter, inactivity
 * timeout, optional streaming lists), speaking raw JSON to the API server through the
 * connection of src/kube.
 */
export { KubernetesSource, type KubernetesSourceOptions } from './source.ts';
export { Reflector, type ReflectorOptions } from './reflector.ts';
export { SharedWatches, type WatchMembership } from './shared-watches.ts';
export { fetchObject } from './fetch.ts';
export { Discovery, describeTarget, resourcePath, type ResolvedResource } from './discovery.ts';
export { DEFAULTS, resolveTuning, type Tuning } from './tuning.ts';
export { ApiStatusError, UnknownResourceError } from './errors.ts';
