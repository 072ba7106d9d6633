/**
 * What the list-and-watch contenders (informant, client-node's informer, the JSON.parse
 * floor) are asked to do and what they report back to the runner.
 */

/** Where the objects are and how many there must be. */
export interface ClusterParams {
  /** kubeconfig file of the benchmark's API server. */
  kubeconfig: string;
  /** The same server's URL and bearer token, for the floor (which loads no Kubernetes library). */
  server: string;
  token: string;
  /** The resource path listed and watched, e.g. "/api/v1/pods". */
  path: string;
  /** Objects the server holds; a contender that ends up with another count fails. */
  expected: number;
}

/** How informant and the floor fetch the initial state. */
export type SyncMode = 'stream' | 'list';

export interface SyncParams extends ClusterParams {
  mode: SyncMode;
}

/** One initial sync. */
export interface SyncResult {
  /** From start to "every object is in the cache", in ms. */
  ms: number;
  /** Heap retained after the sync minus the heap before it (both after full GCs), in bytes. */
  heapBytes: number;
}

export interface IngestParams extends ClusterParams {
  /** MODIFIED events the runner will write once the contender says it is ready. */
  events: number;
}

/** One watch-ingest run. */
export interface IngestResult {
  /** From the first MODIFIED event applied to the last one, in ms. */
  ms: number;
  /** Events applied (equals IngestParams.events). */
  events: number;
}

/** Page size informant's paginated LIST and the floor's use: client-go's (and informant's) default. */
export const PAGE_SIZE = 500;
