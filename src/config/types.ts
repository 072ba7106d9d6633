/**
 * The validated, normalized configuration every other stage reads. `loadConfig` turns
 * config.yaml (snake_case, durations as strings) into this shape (camelCase, durations in
 * milliseconds, defaults filled in, paths resolved against the config file's folder).
 * Nothing downstream ever sees raw YAML.
 */
import type { KubeObject } from '../k8s.ts';

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
  /** Store backend name: "full", "on-demand", "published" (full, and published into the shared store) or another registered backend. */
  store: string;
  /** on-demand only: how long a fetched object stays cached, in ms. */
  cacheTtlMs?: number;
  /** on-demand only: how many fetched objects are kept at most. */
  maxCacheSize?: number;
  /** How long before this resource is reported stuck, in ms; absent: render.syncTimeoutMs. */
  syncTimeoutMs?: number;
  /** Render without it (empty) once its sync timeout passed without a sync; absent: required. */
  optional?: boolean;
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

/**
 * One cluster of `source.kubernetes.clusters`, as written: where it sets no kubeconfig or
 * context, the source-level ones (file, or --kubeconfig / --context) apply.
 */
export interface ClusterConfig {
  /** metadata.cluster of its objects: a DNS-1123 label or a kcp workspace path; never contains "/". */
  name: string;
  /** Absolute path of its kubeconfig file; default KUBECONFIG, ~/.kube/config, or in-cluster. */
  kubeconfig?: string;
  /** kubeconfig context; default the current context. */
  context?: string;
  /** Replaces the server URL of the context's cluster (a kcp workspace URL ends in /clusters/<ws>). */
  server?: string;
}

/** source.kubernetes.kcp: where the wildcard requests go. */
export interface KcpConfig {
  /**
   * The kcp server, or an APIExport's virtual workspace URL (its APIExportEndpointSlice
   * lists them), whose `/clusters/*` serves every logical cluster; absent: the server of
   * the kubeconfig context. A trailing /clusters/<name> is dropped.
   */
  server?: string;
}

export interface KubernetesSourceConfig {
  /** Path of a kubeconfig file; default KUBECONFIG, ~/.kube/config, or in-cluster. */
  kubeconfig?: string;
  /** kubeconfig context; default the current context. */
  context?: string;
  /**
   * The clusters to watch every watched resource in, each object stamped with
   * metadata.cluster; absent for a single cluster (objects carry no cluster). `kubeconfig`
   * and `context` above are the defaults of clusters that set none.
   */
  clusters?: ClusterConfig[];
  /**
   * Watch every kcp logical cluster through one wildcard list/watch per resource
   * (`<server>/clusters/*`), each object's metadata.cluster taken from its kcp.io/cluster
   * annotation; absent otherwise. Never set together with `clusters`.
   */
  kcp?: KcpConfig;
  /** LIST page size (default 500). */
  pageSize: number;
  /** Use streaming lists (sendInitialEvents) when the server supports them (default true). */
  streamingList: boolean;
}

/**
 * A shared store (publish, source.shared): which backend, the key prefix, and the
 * backend's own settings as its config descriptor normalized them (paths absolute). Only
 * that backend's connector reads `settings` (controller/shared-backends.ts pairs them).
 */
export interface SharedStoreConfig {
  /** The backend's name: etcd, postgres, memory or another registered one. */
  backend: string;
  /** The key prefix informant's records live under, e.g. `informant` (see KeyLayout). */
  prefix: string;
  settings: Readonly<Record<string, unknown>>;
}

/** publish: where the watched resources with store: published are published. */
export interface PublishConfig extends SharedStoreConfig {
  /** The cluster this informant publishes as (objects without metadata.cluster). */
  cluster: string;
}

/** source.shared: read published objects instead of watching a cluster. */
export interface SharedSourceConfig extends SharedStoreConfig {
  /** The clusters read: "all" (default) or these names. */
  clusters: 'all' | string[];
}

export interface SourceConfig {
  kind: 'kubernetes' | 'files' | 'shared';
  kubernetes?: KubernetesSourceConfig;
  files?: FilesSourceConfig;
  shared?: SharedSourceConfig;
}

export interface TemplateConfig {
  /** The key under templates. */
  name: string;
  /** Absolute path of the template file; absent for inline templates. */
  path?: string;
  /** Inline template text; absent when `path` is set. */
  inline?: string;
  /**
   * Absolute path of the output file. With `forEach`, the folder of the files and the
   * pattern of their names (see ForEachConfig).
   */
  output: string;
  /**
   * File mode of the output, e.g. 0o644 (of every file, with `forEach`). A file that holds
   * a private key is never written readable by others, whatever the mode says.
   */
  mode: number;
  /** Owner of the output files, when set; applied where the process may (see output/file-attributes.ts). */
  owner?: OwnerConfig;
  /**
   * The values the template reads as `vars`: the top-level `vars` with the template's own
   * merged over them (mappings key by key, anything else replaced). Deep-frozen; absent
   * means none.
   */
  vars?: Readonly<Record<string, unknown>>;
  /** Render once per object (or list element), each into its own file. */
  forEach?: ForEachConfig;
  /** Command run on the candidate file before it replaces the output; "{{ file }}" is substituted. */
  validate?: string[];
  /** Command run after the output was replaced; "{{ file }}" is the output's path. */
  onChange?: string[];
  /** Keep the previous output as `<output>.bak` when replacing it (default false). */
  backup?: boolean;
  /** This template's quiet period after the last change, in ms; default render.debounceMs. */
  debounceMs?: number;
  /** This template renders at least this often under churn, in ms; default render.maxWaitMs. */
  maxWaitMs?: number;
  /** This template's validate and on_change are stopped after this long, in ms; default render.commandTimeoutMs. */
  commandTimeoutMs?: number;
  /** The environment variables env() may read in this template (none by default). */
  allowEnv?: string[];
  /**
   * What printed values are checked for: `line` (the config's default; also what an absent
   * value means) refuses line breaks and control characters, leaving out the object that
   * holds such a value; `none` prints values as they are.
   */
  escape?: 'line' | 'none';
  position?: SourcePosition;
}

/**
 * A template rendered once per element, each into its own file in one folder: the objects
 * of a watched resource (`resource`), or the elements of a list that a template file
 * exports (`import` and `list`). The element is `object` in the template and in `name`.
 */
export interface ForEachConfig {
  /** Each object of this watched resource, sorted by namespace then name. */
  resource?: string;
  /** Absolute path of a template file imported with the context (resources, vars) once per render. */
  import?: string;
  /** The name of the list that file exports (a top-level `{% set %}`). */
  list?: string;
  /** Absolute path of the folder the files are written into (fixed: no element can change it). */
  dir: string;
  /** The file name: a nunjucks template over `object` and `vars` (the last part of `output`). */
  name: string;
}

/** Who owns an output file: a user and a group, each a name or a numeric id; either may be absent. */
export interface OwnerConfig {
  user?: string | number;
  group?: string | number;
}

export interface RenderConfig {
  /** Quiet period after the last change before rendering, in ms (default 200). */
  debounceMs: number;
  /** Render at least this often under constant churn, in ms (default 2000). */
  maxWaitMs: number;
  /** A watched resource not synced after this long is reported as stuck, in ms (default 60000). */
  syncTimeoutMs: number;
  /** validate and on_change commands are stopped after this long, in ms (default 30000). */
  commandTimeoutMs: number;
  /** A render of one template is stopped after this long, in ms (default 10000). */
  timeoutMs: number;
  /** `{% memo %}` results: reused at all (default true), and per template at most this many bytes (256 MiB) and entries (250k). */
  memo: { enabled: boolean; maxBytes: number; maxEntries: number };
}

/** Bounds on what sources deliver (see config/defaults.ts for the reasons of the defaults). */
export interface LimitsConfig {
  /** The largest object any source may hand over, as JSON, in bytes. */
  maxObjectBytes: number;
  /** How deeply an object may nest (levels of objects and arrays). */
  maxDepth: number;
  /** The largest manifest file a files source reads, in bytes. */
  maxFileBytes: number;
}

export interface ServerConfig {
  /** host:port of the probes and /metrics; undefined = no such server. */
  listen?: string;
  /** Who may read /metrics and /debug/ (default auto: kubernetes in a cluster, none elsewhere). */
  auth: 'auto' | 'kubernetes' | 'none';
  /** Serve the /debug/ endpoints (default false). */
  debug: boolean;
  /** host:port of /debug/ (default 127.0.0.1:8081); equal to `listen`, one server serves both. */
  debugListen: string;
  /** Show Secret data in /debug/ answers (default false: redacted, and outputs that read Secrets withheld). */
  allowSecrets: boolean;
  /**
   * When /readyz answers ready: `serving` (default; also what an absent value means) while
   * every template has a good output in place; `strict` also requires that the last render
   * cycle of every template succeeded.
   */
  readiness?: 'serving' | 'strict';
}

export interface LeaderElectionConfig {
  enabled: boolean;
  /** Name of the coordination.k8s.io/v1 Lease. */
  lease: string;
  /** Namespace of the Lease. */
  namespace: string;
  /** This replica's name in the Lease; default POD_NAME or the host name, plus a random suffix. */
  identity?: string;
  /** How long a Lease is valid without renewal, in ms (default 15000). */
  leaseDurationMs: number;
  /** The leader steps down when it could not renew for this long, in ms (default 10000). */
  renewDeadlineMs: number;
  /** How often to try to acquire or renew, in ms (default 2000). */
  retryPeriodMs: number;
  /** Only the leader runs on_change commands (default true); every replica renders and validates. */
  onChangeOnlyLeader: boolean;
}

/** exec: the child process informant supervises (see src/exec/). */
export interface ExecConfig {
  /** The program and its arguments (no shell unless it names one). */
  command: string[];
  /** Sent to the child after a render cycle changed an output (default SIGHUP). */
  reloadSignal: NodeJS.Signals;
  /** Runs instead of reloadSignal (with INFORMANT_CHILD_PID), when set. */
  reloadCommand?: string[];
  /** Sent to the child when informant stops; default the signal informant received. */
  killSignal?: NodeJS.Signals;
  /** After this long (ms) the child gets SIGKILL (default 30000). */
  killTimeoutMs: number;
  /** When the child exits on its own: exit with it (default) or restart it. */
  onExit: 'exit' | 'restart';
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
  /** The top-level `vars`, which every template inherits (TemplateConfig.vars holds the merged values); absent means none. */
  vars?: Readonly<Record<string, unknown>>;
  source: SourceConfig;
  /** In the order they appear in the file. */
  templates: TemplateConfig[];
  render: RenderConfig;
  server: ServerConfig;
  leaderElection: LeaderElectionConfig;
  limits: LimitsConfig;
  logging: LoggingConfig;
  /** Where watched resources with store: published are published; absent when none is. */
  publish?: PublishConfig;
  /** The child process `informant run` supervises; absent when none. */
  exec?: ExecConfig;
  /**
   * The template tests (`informant test`): those under `tests` first, then those of each
   * file in `test_files`, each in file order. Absent when the config defines none.
   */
  tests?: TemplateTestConfig[];
}

/** How a test's fixtures relate to the manifests of `source.files`. */
export type FixturesMode = 'layer' | 'replace';

/**
 * One template test: the objects the stores hold (fixtures) and what the rendered outputs
 * must look like. Paths are absolute (resolved against the folder of the file the test is
 * written in).
 */
export interface TemplateTestConfig {
  /** The test's name (its key under `tests`); unique across the config and its test files. */
  name: string;
  description?: string;
  /**
   * layer: the manifests of source.files, minus `remove`, then the fixtures on top (a
   * fixture with the identity of a manifest object replaces it); replace: the fixtures only.
   */
  fixturesMode: FixturesMode;
  /** Objects written in the test itself (a list, or the documents of a YAML text), in order. */
  fixtures: KubeObject[];
  /** Manifest files or folders, read like source.files, after the base manifests and before `fixtures`. */
  fixtureFiles: string[];
  /** Objects taken out of the base manifests (layer mode only); each must match one. */
  remove: ObjectReference[];
  /** One per template the test checks, in file order. Only these templates are rendered. */
  expect: TemplateExpectation[];
  /** Where the test's name is written. */
  position?: SourcePosition;
}

/** Names one object: kind and name, the namespace for namespaced objects, optionally apiVersion. */
export interface ObjectReference {
  apiVersion?: string;
  kind: string;
  /** Absent for cluster-scoped objects. */
  namespace?: string;
  name: string;
}

/** What one template's output must look like in one test. Every list may be empty. */
export interface TemplateExpectation {
  /** The template's name (a key under `templates`). */
  template: string;
  /** for_each templates: the file checked (the key was `<template>/<file>`). */
  file?: string;
  /** for_each templates: exactly the files the template renders (any order). */
  files?: string[];
  /** Texts the output contains. */
  contains: string[];
  /** Texts the output does not contain. */
  notContains: string[];
  /** Texts the output contains in this order, each after the end of the previous one. */
  containsInOrder: string[];
  /** Regular expressions (JavaScript syntax, compiled with the `m` flag) that match the output. */
  matches: string[];
  /** Absolute path of a golden file the output equals byte for byte. */
  equals?: string;
  /** The number of lines of the output (a final newline does not start another line). */
  lineCount?: number;
  /** Values selected from the output parsed as JSON or YAML. */
  jsonPath: JsonPathExpectation[];
  /** A regular expression the render error's message matches: the render must fail. */
  expectError?: string;
  /** Where the template's name is written under `expect`. */
  position?: SourcePosition;
}

/** A JSONPath into a JSON or YAML output, and the value it must select. */
export interface JsonPathExpectation {
  /** A path expression (no filters), e.g. `$.backends[0].name` or `items[*].name`. */
  path: string;
  /**
   * The expected value: compared with the one value a simple path selects, or with the list
   * of values any other path selects. Absent: the path must select at least one value.
   */
  expected?: { value: unknown };
}
