/**
 * The validated, normalised configuration every other stage reads. `loadConfig` turns
 * config.yaml (snake_case, durations as strings) into this shape (camelCase, durations in
 * milliseconds, defaults filled in, paths resolved against the config file's folder).
 * Nothing downstream ever sees raw YAML.
 */

/** Where a value came from in the config file, for messages. */
export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

export interface WatchedResourceConfig {
  /** The key under watched_resources; templates see `resources.<name>`. */
  name: string;
  /** e.g. "v1", "networking.k8s.io/v1". */
  apiVersion: string;
  /** Kind (e.g. "Ingress"); at least one of kind and resource is set. */
  kind?: string;
  /** Plural resource (e.g. "ingresses"); resolved by discovery when only kind is given. */
  resource?: string;
  /** Only this namespace; "" means all namespaces. */
  namespace: string;
  /** Kubernetes label selector ("" = everything). */
  labelSelector: string;
  /** Kubernetes field selector ("" = everything). */
  fieldSelector: string;
  /** Index key expressions, in order; default [metadata.namespace, metadata.name]. */
  indexBy: string[];
  /** Effective remove_fields: the global list followed by this resource's additions. */
  removeFields: string[];
  /** Store backend name: "full" or "on-demand" (later: registered backends). */
  store: string;
  /** on-demand only: how long a fetched object stays cached, in ms. */
  cacheTtlMs?: number;
  /** on-demand only: how many fetched objects are kept at most. */
  maxCacheSize?: number;
  /** Where this resource's definition starts in the config file. */
  position?: SourcePosition;
}

export interface FilesSourceConfig {
  /** Absolute path of the manifests folder (or a single file). */
  path: string;
  /** Watch the folder and apply changes (default true for `run`, ignored by `render`). */
  watch: boolean;
  /** Quiet period before a burst of file changes is applied, in ms (default 100). */
  debounceMs: number;
}

export interface KubernetesSourceConfig {
  /** Path of a kubeconfig file; default KUBECONFIG, ~/.kube/config, or in-cluster. */
  kubeconfig?: string;
  /** kubeconfig context; default the current context. */
  context?: string;
  /** LIST page size (default 500). */
  pageSize: number;
  /** Use streaming lists (sendInitialEvents) when the server supports them (default true). */
  streamingList: boolean;
}

export interface SourceConfig {
  kind: 'kubernetes' | 'files';
  kubernetes?: KubernetesSourceConfig;
  files?: FilesSourceConfig;
}

export interface TemplateConfig {
  /** The key under templates. */
  name: string;
  /** Absolute path of the template file; absent for inline templates. */
  path?: string;
  /** Inline template text; absent when `path` is set. */
  inline?: string;
  /** Absolute path of the output file. */
  output: string;
  /** File mode of the output, e.g. 0o644. */
  mode: number;
  /** Command run on the candidate file before it replaces the output; "{{ file }}" is substituted. */
  validate?: string[];
  /** Command run after the output was replaced. */
  onChange?: string[];
  position?: SourcePosition;
}

export interface RenderConfig {
  /** Quiet period after the last change before rendering, in ms (default 200). */
  debounceMs: number;
  /** Render at least this often under constant churn, in ms (default 2000). */
  maxWaitMs: number;
}

export interface ServerConfig {
  /** host:port to listen on; undefined = no server. */
  listen?: string;
}

export interface LeaderElectionConfig {
  enabled: boolean;
  lease: string;
  namespace: string;
}

export interface LoggingConfig {
  level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export interface Config {
  /** Absolute path of the config file it was loaded from ("<inline>" when from a string). */
  file: string;
  /** Folder relative paths in the config are resolved against. */
  baseDir: string;
  /** In the order they appear in the file. */
  watchedResources: WatchedResourceConfig[];
  /** The global remove_fields list (already merged into each resource's removeFields). */
  removeFields: string[];
  source: SourceConfig;
  /** In the order they appear in the file. */
  templates: TemplateConfig[];
  render: RenderConfig;
  server: ServerConfig;
  leaderElection: LeaderElectionConfig;
  logging: LoggingConfig;
}
