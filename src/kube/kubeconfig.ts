/**
 * Finding and loading the kubeconfig, kubectl's way: an explicit file, else KUBECONFIG,
 * else ~/.kube/config, else the in-cluster service account. @kubernetes/client-node does
 * the parsing and authentication; this module only chooses and names what went wrong.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { HttpApiClient } from './client.ts';
import { KubeconfigError } from './errors.ts';

/** Where the kubeconfig comes from. */
export interface KubeconfigOptions {
  /** A kubeconfig file; wins over everything else. */
  kubeconfig?: string | undefined;
  /** The context to use; default the file's current-context. */
  context?: string | undefined;
  /**
   * Replaces the server URL of the context's cluster, credentials and TLS settings kept:
   * one kcp kubeconfig serves several workspaces (https://kcp:6443/clusters/root:org:ws).
   * A function receives the context's URL and returns the one to use.
   */
  server?: string | ((contextServer: string) => string) | undefined;
}

/** What the environment looks like; injected by tests. */
export interface KubeconfigEnvironment {
  env: Readonly<Record<string, string | undefined>>;
  homeDir: string;
  /** The service account token file of in-cluster pods. */
  serviceAccountTokenPath: string;
}

const DEFAULT_ENVIRONMENT: KubeconfigEnvironment = Object.freeze({
  env: process.env,
  homeDir: os.homedir(),
  serviceAccountTokenPath: '/var/run/secrets/kubernetes.io/serviceaccount/token',
});

/**
 * The client-node KubeConfig class, loaded on first use: the package takes about a second
 * to load, which commands that never reach a cluster (render and test over manifests,
 * check-config, an etcd subscriber) should not pay. Node loads the ES module synchronously
 * through require.
 */
function kubeConfigClass(): typeof KubeConfig {
  kubeConfigConstructor ??= (createRequire(import.meta.url)('@kubernetes/client-node') as { KubeConfig: typeof KubeConfig }).KubeConfig;
  return kubeConfigConstructor;
}
let kubeConfigConstructor: typeof KubeConfig | undefined;

/**
 * Loads the kubeconfig and selects the context. Throws a KubeconfigError naming the file
 * and what is wrong with it (unreadable, unknown context, no cluster), or saying that none
 * of the places a kubeconfig can come from has one.
 */
export function loadKubeConfig(
  options: KubeconfigOptions = {},
  environment: KubeconfigEnvironment = DEFAULT_ENVIRONMENT,
): KubeConfig {
  const kc = new (kubeConfigClass())();
  const origin = loadInto(kc, options, environment);
  if (options.context) selectContext(kc, options.context, origin);
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new KubeconfigError(`kubeconfig ${origin}: context "${kc.getCurrentContext()}" has no cluster`);
  }
  const server = typeof options.server === 'function' ? options.server(cluster.server) : options.server;
  if (server) overrideServer(kc, cluster.name, server);
  return kc;
}

/** Points the kubeconfig cluster `clusterName` at `server` (everything else about it kept). */
function overrideServer(kc: KubeConfig, clusterName: string, server: string): void {
  kc.clusters = kc.clusters.map((c) => (c.name === clusterName ? { ...c, server } : c));
}

/**
 * True when this process runs in a Kubernetes Pod with a service account: the API
 * server's address is in the environment and the account's token is mounted.
 */
export function runningInCluster(environment: KubeconfigEnvironment = DEFAULT_ENVIRONMENT): boolean {
  return Boolean(environment.env.KUBERNETES_SERVICE_HOST) && fs.existsSync(environment.serviceAccountTokenPath);
}

/** Loads the kubeconfig (as loadKubeConfig does) and returns an HttpApiClient for it. */
export function createApiClient(options: KubeconfigOptions = {}, environment?: KubeconfigEnvironment): HttpApiClient {
  return new HttpApiClient(loadKubeConfig(options, environment));
}

function loadInto(kc: KubeConfig, options: KubeconfigOptions, environment: KubeconfigEnvironment): string {
  if (options.kubeconfig) return loadFile(kc, options.kubeconfig);
  const fromEnv = environment.env.KUBECONFIG?.split(path.delimiter).filter((file) => file !== '') ?? [];
  if (fromEnv.length > 0) return loadFiles(kc, fromEnv);
  const home = path.join(environment.homeDir, '.kube', 'config');
  if (fs.existsSync(home)) return loadFile(kc, home);
  if (fs.existsSync(environment.serviceAccountTokenPath) && environment.env.KUBERNETES_SERVICE_HOST) {
    kc.loadFromCluster();
    return '(in-cluster service account)';
  }
  throw new KubeconfigError(
    'no kubeconfig found: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run in a cluster with a service account',
  );
}

function loadFiles(kc: KubeConfig, files: string[]): string {
  const [first, ...rest] = files as [string, ...string[]];
  loadFile(kc, first);
  for (const file of rest) {
    const other = new (kubeConfigClass())();
    loadFile(other, file);
    try {
      // kubectl's rule: the first file that sets current-context wins.
      kc.mergeConfig(other, Boolean(kc.getCurrentContext()));
    } catch (err) {
      throw new KubeconfigError(`cannot merge kubeconfig ${file}: ${(err as Error).message}`, { cause: err });
    }
  }
  return files.join(path.delimiter);
}

function loadFile(kc: KubeConfig, file: string): string {
  try {
    kc.loadFromFile(file);
  } catch (err) {
    throw new KubeconfigError(`cannot load kubeconfig ${file}: ${(err as Error).message}`, { cause: err });
  }
  return file;
}

function selectContext(kc: KubeConfig, context: string, origin: string): void {
  if (!kc.getContextObject(context)) {
    const known = kc.getContexts().map((c) => c.name).join(', ') || 'none';
    throw new KubeconfigError(`kubeconfig ${origin}: no context "${context}" (known: ${known})`);
  }
  kc.setCurrentContext(context);
}
