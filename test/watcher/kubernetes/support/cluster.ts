import assert from 'node:assert/strict';
import type { WatchedResourceConfig } from '../../../../src/config/types.ts';
import type { KubeObject } from '../../../../src/k8s.ts';
import { silentLogger, type Logger } from '../../../../src/log.ts';
import { createApiClient, type ApiClient } from '../../../../src/kube/index.ts';
import { KubernetesSource } from '../../../../src/watcher/kubernetes/source.ts';
import type { Tuning } from '../../../../src/watcher/kubernetes/tuning.ts';
import { TestApiServer, type TestApiServerOptions } from '../../../support/apiserver/index.ts';
import { eventually } from '../../../support/waiters.ts';
import { watched } from './drive.ts';
import { tempDir, writeKubeconfig } from '../../../kube/support/kubeconfig-file.ts';
import { RecordingSink } from './recording-sink.ts';

/** Small timings so integration tests run fast; passed as options, not through a fake clock. */
export const FAST: Partial<Tuning> = Object.freeze({
  backoffInitialMs: 20,
  backoffCapMs: 200,
  backoffResetAfterMs: 2_000,
  problemRetryMs: 100,
  maxRetryAfterMs: 5_000,
  idleTimeoutMs: 3_000,
  watchTimeoutMinSeconds: 30,
  watchTimeoutMaxSeconds: 60,
});

/** The watched resources integration tests use, by server resource name. */
export const RESOURCES: Record<string, Omit<WatchedResourceConfig, 'name' | 'indexBy' | 'removeFields' | 'store' | 'namespace' | 'labelSelector' | 'fieldSelector'>> = {
  configmaps: { apiVersion: 'v1', kind: 'ConfigMap' },
  secrets: { apiVersion: 'v1', kind: 'Secret' },
  ingresses: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  namespaces: { apiVersion: 'v1', kind: 'Namespace' },
};

export interface ClusterOptions {
  server?: TestApiServerOptions;
  /** Watched resources (name = server resource unless `resource` says otherwise); default configmaps. */
  resources?: Array<Partial<WatchedResourceConfig> & { name: string }>;
  tuning?: Partial<Tuning>;
  streamingList?: boolean;
  pageSize?: number;
  /** Wraps the kubeconfig-built client (to observe or perturb requests). */
  wrapClient?: (client: ApiClient) => ApiClient;
  logger?: Logger;
  /** Objects created before the source starts, by server resource. */
  seed?: Record<string, KubeObject[]>;
  token?: string;
  /** Watched resources to watch as metadata only. */
  metadataOnly?: string[];
}

/** A test API server, a KubernetesSource watching it, and one RecordingSink per resource. */
export interface Cluster {
  server: TestApiServer;
  source: KubernetesSource;
  sinks: Map<string, RecordingSink>;
  sink(name?: string): RecordingSink;
  /** Stops the source, checks no watch is left open, closes the server. */
  close(): Promise<void>;
}

/** Starts a server (and seeds it), then a source over a kubeconfig pointing at it. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const token = options.token ?? 'test-token';
  const server = await TestApiServer.start({ token, ...options.server });
  for (const [resource, objects] of Object.entries(options.seed ?? {})) for (const obj of objects) server.create(resource, obj);
  const { dir, cleanup } = tempDir();
  const kubeconfig = writeKubeconfig(dir, server.url, { token });
  const resources = (options.resources ?? [{ name: 'configmaps' }]).map((r) => watched({ ...RESOURCES[r.name], ...r }));
  const client = createApiClient({ kubeconfig });
  const source = new KubernetesSource({
    config: { kubeconfig, pageSize: options.pageSize ?? 500, streamingList: options.streamingList ?? false },
    resources,
    logger: options.logger ?? silentLogger(),
    client: options.wrapClient ? options.wrapClient(client) : client,
    tuning: { ...FAST, ...options.tuning },
    ...(options.metadataOnly ? { metadataOnly: options.metadataOnly } : {}),
  });
  const sinks = new Map(resources.map((r) => [r.name, new RecordingSink()]));
  await source.start(sinks);
  return {
    server,
    source,
    sinks,
    sink: (name = resources[0]!.name) => sinks.get(name)!,
    close: async () => {
      try {
        await source.stop();
        client.close();
        // stop() closed our sockets; the server notices each close a moment later.
        await eventually(() => server.openWatches() === 0, 'the server saw every watch closed after stop()');
      } finally {
        await server.close();
        cleanup();
      }
    },
  };
}

/** namespace/name → resourceVersion of the server's current objects (optionally filtered). */
export function serverVersions(server: TestApiServer, resource: string, filter: (o: KubeObject) => boolean = () => true): Map<string, string | undefined> {
  return new Map(server.list(resource).filter(filter).map((o) => [id(o), o.metadata.resourceVersion]));
}

/** Waits until the sink holds the server's objects at the server's versions, then asserts full equality. */
export async function converged(cluster: Cluster, name = 'configmaps', resource = name, filter?: (o: KubeObject) => boolean): Promise<void> {
  const sink = cluster.sink(name);
  const same = (): boolean => sameVersions(sink.versions(), serverVersions(cluster.server, resource, filter));
  await eventually(same, `${name} matches the server`);
  assertSameState(sink, cluster.server.list(resource).filter(filter ?? (() => true)));
}

/** The sink holds exactly `expected`: same identities, same resourceVersions, same objects. */
export function assertSameState(sink: RecordingSink, expected: KubeObject[]): void {
  const want = new Map(expected.map((o) => [id(o), o]));
  const missing = [...want.keys()].filter((k) => !sink.objects.has(k));
  const ghosts = [...sink.objects.keys()].filter((k) => !want.has(k));
  const stale = [...want].filter(([k, o]) => sink.objects.has(k) && sink.objects.get(k)!.metadata.resourceVersion !== o.metadata.resourceVersion).map(([k]) => k);
  assert.deepEqual({ missing, ghosts, stale }, { missing: [], ghosts: [], stale: [] });
  for (const [k, o] of want) assert.deepEqual(sink.objects.get(k), o, `object ${k}`);
}

function sameVersions(a: Map<string, string | undefined>, b: Map<string, string | undefined>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

function id(o: KubeObject): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}

/** A ConfigMap to create on the server. */
export function cm(name: string, data: Record<string, string> = {}, labels?: Record<string, string>, namespace = 'default'): KubeObject {
  return { metadata: { name, namespace, ...(labels ? { labels } : {}) }, data };
}

/** Requests the server saw for a resource path suffix, split into lists and watches. */
export function requestsFor(server: TestApiServer, suffix: string): { lists: URLSearchParams[]; watches: URLSearchParams[] } {
  const matching = server.requests.filter((r) => r.path.endsWith(suffix));
  const isWatch = (q: URLSearchParams): boolean => q.get('watch') === 'true' || q.get('watch') === '1';
  return {
    lists: matching.filter((r) => !isWatch(r.query)).map((r) => r.query),
    watches: matching.filter((r) => isWatch(r.query)).map((r) => r.query),
  };
}
