/**
 * kcp wildcard watches. kcp serves every logical cluster (workspace) of a shard, or every
 * workspace bound to an APIExport through its virtual workspace, under `/clusters/*`: one
 * list/watch there returns the objects of all of them, each carrying the logical cluster
 * it lives in as the `kcp.io/cluster` annotation. Single objects are read under
 * `/clusters/<name>`. See kcp's REST access patterns (docs/content/concepts/apis).
 */
import type { KubeObject } from '../../k8s.ts';
import { isClusterName } from '../../k8s-names.ts';
import type { ApiClient, ApiRequestOptions, ApiResponse } from '../../kube/index.ts';
import { objectId } from '../../k8s.ts';
import type { WatchSink } from '../index.ts';

/** The annotation kcp puts on every object: the name of its logical cluster. */
export const KCP_CLUSTER_ANNOTATION = 'kcp.io/cluster';

/** The logical cluster path segment of wildcard requests. */
const WILDCARD = '*';

/**
 * The base URL of a kcp server (or APIExport virtual workspace) URL: without a trailing
 * slash and without a /clusters/<name> suffix, which kubeconfigs of kcp workspaces carry.
 */
export function kcpBase(server: string): string {
  return server.replace(/\/+$/, '').replace(/\/clusters\/[^/]+$/, '');
}

/**
 * An ApiClient over a kcp base URL that sends every request to one logical cluster
 * (`/clusters/<name>/...`) or, with `*`, to all of them. Closing it closes the base.
 */
export class KcpClient implements ApiClient {
  readonly #base: ApiClient;
  readonly #prefix: string;

  /** Requests to every logical cluster (wildcard), over `base`. */
  static wildcard(base: ApiClient): KcpClient {
    return new KcpClient(base, WILDCARD);
  }

  private constructor(base: ApiClient, cluster: string) {
    this.#base = base;
    this.#prefix = `/clusters/${cluster}`;
  }

  /** The same base, for requests to the logical cluster `name` (a GET of one of its objects). */
  forCluster(name: string): KcpClient {
    return new KcpClient(this.#base, name);
  }

  request(path: string, query: URLSearchParams, options: ApiRequestOptions): Promise<ApiResponse> {
    return this.#base.request(this.#prefix + path, query, options);
  }

  close(): void {
    this.#base.close();
  }
}

/**
 * Sets `obj`'s metadata.cluster from its kcp.io/cluster annotation when that names a
 * cluster (and metadata.cluster is not that already): the reflector of a wildcard watch
 * calls it on every object it reads, so that objects of the same namespace/name in two
 * workspaces are two objects from the start (as with `clusters`).
 */
export function stampLogicalCluster(obj: KubeObject): void {
  const value = obj.metadata.annotations?.[KCP_CLUSTER_ANNOTATION];
  if (typeof value === 'string' && isClusterName(value) && obj.metadata.cluster !== value) obj.metadata.cluster = value;
}

/**
 * The sink of one watched resource behind a wildcard watch (whose reflector stamps
 * metadata.cluster, see stampLogicalCluster). An object without a usable annotation (none,
 * or not a cluster name) cannot be told apart from its namesakes in other workspaces: it
 * is left out and reported once (`onUnattributed`) until a later version has one.
 */
export class LogicalClusterSink implements WatchSink {
  readonly #target: WatchSink;
  readonly #onUnattributed: (obj: KubeObject, value: unknown) => void;
  /** Identities reported as unattributed, so each is reported once. */
  #reported = new Set<string>();

  constructor(target: WatchSink, onUnattributed: (obj: KubeObject, value: unknown) => void) {
    this.#target = target;
    this.#onUnattributed = onUnattributed;
  }

  add(obj: KubeObject): void {
    if (this.#attributed(obj)) this.#target.add(obj);
  }

  update(obj: KubeObject): void {
    if (this.#attributed(obj)) this.#target.update(obj);
  }

  delete(obj: KubeObject): void {
    if (this.#attributed(obj)) this.#target.delete(obj);
  }

  replace(objs: KubeObject[]): void {
    this.#reported = new Set();
    this.#target.replace(objs.filter((obj) => this.#attributed(obj)));
  }

  synced(): void {
    this.#target.synced();
  }

  /** True when the object has its logical cluster; false (reported once) when it has none. */
  #attributed(obj: KubeObject): boolean {
    stampLogicalCluster(obj);
    if (obj.metadata.cluster !== undefined) return true;
    const value = obj.metadata.annotations?.[KCP_CLUSTER_ANNOTATION];
    const id = objectId(obj);
    if (!this.#reported.has(id)) {
      this.#reported.add(id);
      this.#onUnattributed(obj, value);
    }
    return false;
  }
}
