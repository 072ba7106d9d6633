/**
 * The Kubernetes source: an informer-grade reflector per watched resource (paginated
 * list, watch with bookmarks, resume, relist on 410, backoff with jitter, inactivity
 * timeout, optional streaming lists), speaking raw JSON to the API server, with
 * @kubernetes/client-node used only for kubeconfig and authentication.
 */
export { KubernetesSource, type KubernetesSourceOptions } from './source.ts';
export { Reflector, type ReflectorOptions } from './reflector.ts';
export { HttpApiClient, type ApiClient, type ApiResponse, type ApiRequestOptions, type ApiSendOptions } from './client.ts';
export { createApiClient, loadKubeConfig, type KubeconfigOptions } from './kubeconfig.ts';
export { fetchObject } from './fetch.ts';
export { Discovery, describeTarget, resourcePath, type ResolvedResource } from './discovery.ts';
export { DEFAULTS, resolveTuning, type Tuning } from './tuning.ts';
export { systemClock, type Clock } from '../../time/clock.ts';
export { ApiStatusError, UnknownResourceError } from './errors.ts';
