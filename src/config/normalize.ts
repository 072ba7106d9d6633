/**
 * normalizeConfig: the validated file (snake_case, paths as written) becomes the Config
 * every stage reads: camelCase, relative paths resolved against the config's folder,
 * on-demand cache defaults filled in, remove_fields merged, positions attached.
 */
import { dirname, resolve } from 'node:path';
import { canonicalPath, parsePath } from '../path/index.ts';
import { DEFAULTS } from './defaults.ts';
import type { SharedBackendConfig } from './shared/index.ts';
import { inFileOrder } from './positions.ts';
import { mergeVars, parseOwner } from './template-outputs.ts';
import type { RawConfig } from './schema.ts';
import type { StoreBackendConfig } from './store-backends.ts';
import type {
  ClusterConfig,
  Config,
  ExecConfig,
  ForEachConfig,
  LeaderElectionConfig,
  ServerConfig,
  SharedStoreConfig,
  SourceConfig,
  SourcePosition,
  TemplateConfig,
  WatchedResourceConfig,
} from './types.ts';

type RawResource = RawConfig['watched_resources'][string];
type RawTemplate = RawConfig['templates'][string];

/** Where the config came from, for paths and positions. */
export interface NormalizeContext {
  /** Absolute path of the config file ("<inline>" for a string). */
  readonly file: string;
  /** Folder relative paths are resolved against. */
  readonly baseDir: string;
  /** Position of the key at `path` (e.g. ["watched_resources", "ingresses"]). */
  positionOf(path: readonly string[]): SourcePosition;
  /** The store backends the config was validated against: each fills in its own settings. */
  readonly storeBackends: readonly StoreBackendConfig[];
  /** The shared-store backends the config was validated against: each normalizes its own settings. */
  readonly sharedBackends: readonly SharedBackendConfig[];
}

/** Builds the normalized Config from a successfully validated file. */
export function normalizeConfig(raw: RawConfig, context: NormalizeContext): Config {
  const removeFields = dedupePaths(raw.remove_fields);
  const vars = mergeVars({}, raw.vars);
  return {
    file: context.file,
    baseDir: context.baseDir,
    watchedResources: inFileOrder(
      Object.entries(raw.watched_resources).map(([name, r]) => watchedResource(name, r, removeFields, context)),
    ),
    removeFields,
    vars,
    source: sourceConfig(raw.source, context),
    templates: inFileOrder(Object.entries(raw.templates).map(([name, t]) => template(name, t, vars, context))),
    render: {
      debounceMs: raw.render.debounce,
      maxWaitMs: raw.render.max_wait,
      syncTimeoutMs: raw.render.sync_timeout,
      commandTimeoutMs: raw.render.command_timeout,
      timeoutMs: raw.render.timeout,
      memo: { enabled: raw.render.memo, maxBytes: raw.render.memo_max_bytes, maxEntries: raw.render.memo_max_entries },
    },
    server: serverConfig(raw.server),
    leaderElection: leaderElection(raw.leader_election),
    limits: { maxObjectBytes: raw.limits.max_object_size, maxDepth: raw.limits.max_depth, maxFileBytes: raw.limits.max_file_size },
    logging: { level: raw.logging.level },
    ...(raw.publish === undefined ? {} : { publish: { ...sharedStore(raw.publish, context), cluster: raw.publish.cluster } }),
    ...(raw.exec === undefined ? {} : { exec: execConfig(raw.exec) }),
  };
}

function execConfig(raw: NonNullable<RawConfig['exec']>): ExecConfig {
  const exec: ExecConfig = { command: [...raw.command], reloadSignal: raw.reload_signal ?? DEFAULTS.execReloadSignal, killTimeoutMs: raw.kill_timeout, onExit: raw.on_exit };
  if (raw.reload_command !== undefined) exec.reloadCommand = [...raw.reload_command];
  if (raw.kill_signal !== undefined) exec.killSignal = raw.kill_signal;
  return exec;
}

function watchedResource(
  name: string,
  raw: RawResource,
  globalRemoveFields: readonly string[],
  context: NormalizeContext,
): WatchedResourceConfig {
  const resource: WatchedResourceConfig = {
    name,
    apiVersion: raw.api_version,
    namespace: raw.namespace,
    labelSelector: raw.label_selector,
    fieldSelector: raw.field_selector,
    indexBy: [...raw.index_by],
    removeFields: dedupePaths([...globalRemoveFields, ...raw.remove_fields]),
    store: raw.store,
    position: context.positionOf(['watched_resources', name]),
  };
  if (raw.kind !== undefined) resource.kind = raw.kind;
  if (raw.resource !== undefined) resource.resource = raw.resource;
  if (raw.sync_timeout !== undefined) resource.syncTimeoutMs = raw.sync_timeout;
  if (raw.optional) resource.optional = true;
  const backend = context.storeBackends.find((b) => b.name === raw.store);
  if (backend?.aliasOf !== undefined) resource.store = backend.aliasOf;
  return { ...resource, ...backend?.normalize?.(raw as Record<string, unknown>) };
}

function template(name: string, raw: RawTemplate, vars: Readonly<Record<string, unknown>>, context: NormalizeContext): TemplateConfig {
  const output = resolve(context.baseDir, raw.output);
  const result: TemplateConfig = {
    name,
    output,
    mode: raw.mode,
    vars: mergeVars(vars, raw.vars),
    escape: raw.escape,
    position: context.positionOf(['templates', name]),
  };
  if (raw.for_each !== undefined) result.forEach = forEach(raw.for_each, raw.output, context.baseDir);
  const owner = raw.owner === undefined ? undefined : parseOwner(raw.owner).owner;
  if (owner !== undefined) result.owner = owner;
  if (raw.path !== undefined) result.path = resolve(context.baseDir, raw.path);
  if (raw.inline !== undefined) result.inline = raw.inline;
  if (raw.validate !== undefined) result.validate = [...raw.validate];
  if (raw.on_change !== undefined) result.onChange = [...raw.on_change];
  if (raw.backup) result.backup = true;
  if (raw.debounce !== undefined) result.debounceMs = raw.debounce;
  if (raw.max_wait !== undefined) result.maxWaitMs = raw.max_wait;
  if (raw.command_timeout !== undefined) result.commandTimeoutMs = raw.command_timeout;
  if (raw.allow_env !== undefined) result.allowEnv = [...raw.allow_env];
  return result;
}

/** A for_each as written, with its folder (the fixed part of `output`) and file name pattern split apart. */
function forEach(raw: NonNullable<RawTemplate['for_each']>, output: string, baseDir: string): ForEachConfig {
  const slash = output.lastIndexOf('/');
  const placement = { dir: resolve(baseDir, slash < 0 ? '.' : output.slice(0, slash) || '/'), name: output.slice(slash + 1) };
  if (typeof raw === 'string') return { resource: raw, ...placement };
  return { import: resolve(baseDir, raw.import), list: raw.list, ...placement };
}

function serverConfig(raw: RawConfig['server']): ServerConfig {
  const server: ServerConfig = { auth: raw.auth, debug: raw.debug, debugListen: raw.debug_listen, allowSecrets: raw.allow_secrets, readiness: raw.readiness };
  if (raw.listen !== undefined) server.listen = raw.listen;
  return server;
}

function leaderElection(raw: RawConfig['leader_election']): LeaderElectionConfig {
  const election: LeaderElectionConfig = {
    enabled: raw.enabled,
    lease: raw.lease,
    namespace: raw.namespace,
    leaseDurationMs: raw.lease_duration,
    renewDeadlineMs: raw.renew_deadline,
    retryPeriodMs: raw.retry_period,
    onChangeOnlyLeader: raw.on_change_only_leader,
  };
  if (raw.identity !== undefined) election.identity = raw.identity;
  return election;
}

/** A shared-store section: its backend, prefix, and the settings its backend normalizes. */
function sharedStore(raw: { backend: string; prefix: string } & Record<string, unknown>, context: NormalizeContext): SharedStoreConfig {
  const backend = context.sharedBackends.find((b) => b.name === raw.backend);
  const settings = (raw[raw.backend] ?? {}) as Record<string, unknown>;
  return { backend: raw.backend, prefix: raw.prefix, settings: Object.freeze(backend ? (backend.normalize(settings, context.baseDir) as Record<string, unknown>) : settings) };
}

function sourceConfig(raw: RawConfig['source'], context: NormalizeContext): SourceConfig {
  const baseDir = context.baseDir;
  if (raw.shared !== undefined) {
    const clusters = raw.shared.clusters === 'all' ? 'all' : [...raw.shared.clusters];
    return { kind: 'shared', shared: { ...sharedStore(raw.shared, context), clusters } };
  }
  if (raw.files !== undefined) {
    const { path, watch, debounce } = raw.files;
    return { kind: 'files', files: { path: resolve(baseDir, path), watch, debounceMs: debounce } };
  }
  const kube = raw.kubernetes ?? { page_size: DEFAULTS.pageSize, streaming_list: DEFAULTS.streamingList };
  const kubernetes: NonNullable<SourceConfig['kubernetes']> = { pageSize: kube.page_size, streamingList: kube.streaming_list };
  if (kube.kubeconfig !== undefined) kubernetes.kubeconfig = resolve(baseDir, kube.kubeconfig);
  if (kube.context !== undefined) kubernetes.context = kube.context;
  if (kube.clusters !== undefined) kubernetes.clusters = kube.clusters.map((c) => clusterConfig(c, baseDir));
  if (kube.kcp !== undefined) kubernetes.kcp = kube.kcp.server === undefined ? {} : { server: kube.kcp.server };
  return { kind: 'kubernetes', kubernetes };
}

/** One cluster as written (its kubeconfig resolved); the source fills in the source-level defaults. */
function clusterConfig(raw: NonNullable<NonNullable<RawConfig['source']['kubernetes']>['clusters']>[number], baseDir: string): ClusterConfig {
  const cluster: ClusterConfig = { name: raw.name };
  if (raw.kubeconfig !== undefined) cluster.kubeconfig = resolve(baseDir, raw.kubeconfig);
  if (raw.context !== undefined) cluster.context = raw.context;
  if (raw.server !== undefined) cluster.server = raw.server;
  return cluster;
}

/** The paths in order, without later ones that select the same field as an earlier one. */
function dedupePaths(paths: readonly string[]): string[] {
  const seen = new Set<string>();
  return paths.filter((expr) => {
    const canonical = canonicalPath(parsePath(expr));
    if (seen.has(canonical)) return false;
    seen.add(canonical);
    return true;
  });
}
