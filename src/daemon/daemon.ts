/**
 * Daemon: the controller as a long-running service (`informant run`). It adds what a
 * production process needs around the Controller, as named steps:
 *   start  → sources, HTTP server (probes, metrics, debug), leader election, config watch;
 *   reload → load the file again (SIGHUP or a change on disk), hand it to the controller,
 *            then apply the server, election and log level of the new version;
 *   stop   → release the Lease, stop the watches, finish (or, past the shutdown timeout,
 *            abandon) the render in progress, close the server.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { collectDefaultMetrics } from 'prom-client';
import { INLINE_FILE } from '../config/index.ts';
import type { Config } from '../config/types.ts';
import { resolveLogLevel, type Logger, type LogLevel } from '../log.ts';
import type { StoreRegistry } from '../store/registry.ts';
import { createApiClient } from '../kube/index.ts';
import { systemClock, type Clock } from '../time/clock.ts';
import { ConfigWatcher } from './config-watcher.ts';
import { Controller } from '../controller/controller.ts';
import { HealthCheck } from '../controller/health.ts';
import { defaultIdentity, LeaderElector } from '../election/leader-election.ts';
import { ApiLeaseClient, type LeaseClient } from '../election/lease-client.ts';
import { Publication } from '../publish/publication.ts';
import type { PublisherState, RepositoryFactory } from '../publish/publisher.ts';
import { PublisherPrometheusMetrics } from '../publish/metrics.ts';
import { controllerBackend } from './server-backend.ts';
import { openRepository, type SharedBackendRegistry } from '../controller/shared-backends.ts';
import { Servers, type AuthClientFactory } from './servers.ts';
import { ChildSupervisor, exitCodeOf, registerChildMetrics, type ChildExit } from '../exec/index.ts';
import type { RenderOutcome } from '../controller/status.ts';
import type { SourceFactory } from '../controller/watch-unit.ts';

/** Defaults of the daemon. */
export const DEFAULTS = Object.freeze({
  /**
   * How long a shutdown may take before the render in progress is abandoned and its
   * commands are killed (ms): 20 s, inside Kubernetes' default 30 s grace period.
   */
  shutdownTimeoutMs: 20_000,
});

/** A Lease client and what closes its connections. */
export type LeaseClientFactory = (config: Config) => { client: LeaseClient; close(): void };

/** How to build a Daemon. */
export interface DaemonOptions {
  config: Config;
  logger: Logger;
  /** The log level given on the command line: it wins over the config's logging.level after a reload too. */
  commandLineLevel?: LogLevel;
  /** Reads the config file again (with the command line's overrides applied); throws ConfigError. */
  loadConfig: () => Promise<Config>;
  clock?: Clock;
  registry?: StoreRegistry;
  createSource?: SourceFactory;
  /** Default: an API client from source.kubernetes (or KUBECONFIG / in-cluster). */
  createLeaseClient?: LeaseClientFactory;
  /** Default: leader_election.identity, else POD_NAME or the host name plus a random suffix. */
  identity?: string;
  /** Opens the shared store that publish names; default: its backend from the controller's shared-store backends. */
  connectRepository?: RepositoryFactory;
  /** The shared-store backends (publish, source.shared); default: the built-in ones. */
  sharedBackends?: SharedBackendRegistry;
  /** This process's start time (ms since the Unix epoch): the publisher's epoch without leader election; default now. */
  startedAtMs?: number;
  /**
   * Wall-clock time in ms since the Unix epoch (default Date.now): the moment this replica
   * becomes leader is its publisher's epoch, so epochs order leaderships the same way with
   * leader election on or off, and across a recreated Lease.
   */
  wallTime?: () => number;
  /** Reload when the config file or a template file changes; default true. */
  watchConfig?: boolean;
  /** Poll interval of the config watch, in ms. */
  watchIntervalMs?: number;
  shutdownTimeoutMs?: number;
  /** Export process metrics (CPU, memory, event loop lag); default true. */
  processMetrics?: boolean;
  /** The API server that reviews callers of /metrics and /debug/ (server.auth); default the cluster informant runs in. */
  createAuthClient?: AuthClientFactory;
  /** Whether this process runs in a cluster (decides server.auth: auto); default: a service account is mounted. */
  inCluster?: boolean;
  /**
   * In exec mode, the child exited on its own and exec.on_exit is exit: informant should
   * stop (then exit with `exitCode`, the child's). Default: only logged.
   */
  onChildExit?: (code: number) => void;
}

/** The controller with its server, leader election, config reload and bounded shutdown (see the module comment). */
export class Daemon {
  readonly controller: Controller;
  readonly #options: DaemonOptions;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #health: HealthCheck;
  readonly #configWatcher: ConfigWatcher;
  readonly #identity: string;
  readonly #publication: Publication;
  readonly #servers: Servers;
  #election: { elector: LeaderElector; close(): void; key: string } | undefined;
  #stopping: Promise<void> | undefined;
  /** The child of exec mode, when the config has exec. */
  readonly #child: ChildSupervisor | undefined;
  /** How the child ended: on its own (on_exit: exit), or when informant stopped it. */
  #childExit: (ChildExit & { killed?: boolean; sent?: NodeJS.Signals }) | undefined;

  /** Builds the controller; throws when the config's templates do not compile. */
  constructor(options: DaemonOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.logger.child({ component: 'daemon' });
    this.#health = new HealthCheck({ clock: this.#clock });
    this.#identity =
      options.identity ?? options.config.leaderElection.identity ?? defaultIdentity(process.env, os.hostname(), () => randomUUID().slice(0, 8));
    this.controller = new Controller({
      config: options.config,
      logger: options.logger,
      watch: true,
      clock: this.#clock,
      ...(options.registry ? { registry: options.registry } : {}),
      ...(options.createSource ? { createSource: options.createSource } : {}),
      ...(options.sharedBackends ? { sharedBackends: options.sharedBackends } : {}),
      onCycle: (outcomes) => this.#afterCycle(outcomes),
    });
    this.#child = this.#buildChild(options);
    this.controller.metrics.observeElection(() => this.#election?.elector.state());
    this.#publication = this.#buildPublication(options);
    this.controller.observePublication(() => this.#publication.status());
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.controller.metrics.registry });
    this.#servers = new Servers({
      backend: controllerBackend(this.controller, {
        health: this.#health,
        election: () => this.#election?.elector.state(),
        child: () => this.#child?.state(),
      }),
      logger: options.logger,
      ...(options.createAuthClient ? { createAuthClient: options.createAuthClient } : {}),
      ...(options.inCluster !== undefined ? { inCluster: options.inCluster } : {}),
    });
    this.#configWatcher = new ConfigWatcher({
      clock: this.#clock,
      onChange: () => void this.reload('a config or template file changed'),
      ...(options.watchIntervalMs !== undefined ? { intervalMs: options.watchIntervalMs } : {}),
    });
  }

  /** The status server's base URL (probes, /metrics), when it runs. */
  get serverUrl(): string | undefined {
    return this.#servers.url;
  }

  /** The base URL of /debug/, when it is on. */
  get debugUrl(): string | undefined {
    return this.#servers.debugUrl;
  }

  /** What the publisher is doing; undefined when this replica publishes nothing (none configured, or a follower). */
  publisherState(): PublisherState | undefined {
    return this.#publication.state();
  }

  /** Starts everything; on a failure, stops what started and rejects. */
  async start(): Promise<void> {
    const config = this.controller.config;
    await this.controller.start();
    try {
      await this.#servers.apply(config);
      await this.#applyElection(config);
      await this.#publication.apply(config, this.controller.stores);
      if (this.#options.watchConfig ?? true) await this.#configWatcher.start(watchedFiles(config));
    } catch (err) {
      await this.#shutdown('SIGTERM');
      throw err;
    }
    this.#log.info({ config: config.file, server: this.serverUrl }, 'running');
  }

  /**
   * Loads the config file again and applies it: a valid version replaces the running one
   * (once its new watches synced); an invalid one is logged and counted, and the running one
   * stays. Resolves either way (false when the new version was not applied).
   */
  async reload(trigger: string): Promise<boolean> {
    if (this.#stopping) return false;
    this.#log.info({ trigger }, 'reloading the config');
    let config: Config;
    try {
      config = await this.#options.loadConfig();
    } catch (err) {
      this.controller.reportReloadFailure(this.controller.config.file, err as Error);
      return false;
    }
    try {
      await this.controller.reload(config);
    } catch {
      return false; // the controller logged why
    }
    await this.#applyRuntime(config);
    return true;
  }

  /**
   * Shuts down within the shutdown timeout (abandoning a render that takes longer); never
   * rejects. In exec mode the child is told to stop at once (exec.kill_signal, else
   * `signal`, the signal informant received) and waited for, up to exec.kill_timeout.
   */
  stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.#stopping ??= this.#shutdown(signal);
    return this.#stopping;
  }

  /**
   * The code informant exits with once stopped: 0, unless the child of exec mode ended
   * badly: exiting on its own, its exit code (128 + the signal that ended it); stopped by
   * informant, 1 when it had to be killed after exec.kill_timeout, else its own non-zero
   * code unless that only says it ended by the signal it was sent (143 after SIGTERM).
   */
  get exitCode(): number {
    const exit = this.#childExit;
    if (exit === undefined) return 0;
    if (exit.killed) return 1;
    const code = exitCodeOf(exit);
    return exit.sent !== undefined && code === exitCodeOf({ code: null, signal: exit.sent }) ? 0 : code;
  }

  /** The child's state, in exec mode. */
  childState(): ReturnType<ChildSupervisor['state']> | undefined {
    return this.#child?.state();
  }

  async #shutdown(signal: NodeJS.Signals): Promise<void> {
    const limitMs = this.#options.shutdownTimeoutMs ?? DEFAULTS.shutdownTimeoutMs;
    const childStopped = this.#child?.stop(signal);
    this.#configWatcher.stop();
    let timer: unknown;
    const timeout = new Promise<false>((resolve) => (timer = this.#clock.setTimeout(() => resolve(false), limitMs)));
    const work = (async () => {
      await this.#stopElection();
      await this.#publication.stop();
      await this.controller.stop();
      return true as const;
    })().catch((err: unknown) => {
      this.#log.error({ err }, 'error while stopping');
      return true as const;
    });
    const finished = await Promise.race([work, timeout]);
    this.#clock.clearTimeout(timer);
    if (!finished) {
      this.#log.warn(`shutdown took longer than ${limitMs / 1000} s; abandoning the render in progress`);
      this.controller.abortCommands();
    }
    const exit = await childStopped;
    if (exit !== undefined) this.#childExit = exit;
    await this.#servers.close();
    this.#log.info('stopped');
  }

  /** The supervisor of exec mode's child, registered in the metrics; undefined without exec. */
  #buildChild(options: DaemonOptions): ChildSupervisor | undefined {
    const { exec, baseDir, render } = options.config;
    if (exec === undefined) return undefined;
    const child = new ChildSupervisor({
      settings: exec,
      cwd: baseDir,
      logger: options.logger,
      clock: this.#clock,
      commandTimeoutMs: render.commandTimeoutMs,
      onExit: (exit) => {
        this.#childExit = exit;
        options.onChildExit?.(exitCodeOf(exit));
      },
    });
    registerChildMetrics(this.controller.metrics.registry, () => child.state());
    return child;
  }

  /**
   * After a render cycle, in exec mode: starts the child once every template has an output
   * in place, and reloads it when the cycle changed an output.
   */
  #afterCycle(outcomes: readonly RenderOutcome[]): void {
    const child = this.#child;
    if (child === undefined || this.#stopping) return;
    if (!child.started) {
      if (this.controller.status().templates.every((t) => t.lastOutputAt !== undefined)) child.start();
      return;
    }
    if (outcomes.some((outcome) => outcome.status === 'written')) void child.reload();
  }

  /** After a reload: log level, server address, leader election and watched files of `config`. */
  async #applyRuntime(config: Config): Promise<void> {
    if (JSON.stringify(config.exec) !== JSON.stringify(this.#options.config.exec)) {
      this.#log.warn('exec changed in the config: the child keeps running as it was started; the change applies when informant restarts');
    }
    this.#options.logger.level = resolveLogLevel(config.logging.level, process.env, this.#options.commandLineLevel);
    try {
      await this.#servers.apply(config);
      await this.#applyElection(config);
    } catch (err) {
      this.#log.error({ err }, `could not apply the reloaded config's server or leader election: ${(err as Error).message}`);
    }
    await this.#publication.apply(config, this.controller.stores);
    if (this.#options.watchConfig ?? true) await this.#configWatcher.watch(watchedFiles(config));
  }

  /** Starts or restarts leader election when its settings (or the cluster) changed. */
  async #applyElection(config: Config): Promise<void> {
    const settings = config.leaderElection;
    const key = JSON.stringify({ settings, cluster: config.source.kubernetes ?? null });
    if (this.#election?.key === key) return;
    await this.#stopElection();
    if (!settings.enabled) return;
    const { client, close } = (this.#options.createLeaseClient ?? defaultLeaseClient)(config);
    const elector = new LeaderElector({
      client,
      identity: this.#identity,
      leaseDurationMs: settings.leaseDurationMs,
      renewDeadlineMs: settings.renewDeadlineMs,
      retryPeriodMs: settings.retryPeriodMs,
      clock: this.#clock,
      logger: this.#options.logger,
      onChange: (leading) => {
        this.controller.setLeader(leading);
        void this.#publication.setLeading(leading, leading ? (this.#options.wallTime ?? Date.now)() : 0);
      },
    });
    this.#election = { elector, close, key };
    elector.start();
  }

  async #stopElection(): Promise<void> {
    const election = this.#election;
    if (!election) return;
    this.#election = undefined;
    await election.elector.stop();
    election.close();
    this.controller.setLeader(false);
    await this.#publication.setLeading(false, 0);
  }

  /** The publisher switch: publishes the stores with store: published while this replica may (see Publication). */
  #buildPublication(options: DaemonOptions): Publication {
    const logger = options.logger;
    return new Publication({
      identity: this.#identity,
      connect: options.connectRepository ?? ((config, log) => openRepository(this.controller.sharedBackends, config, log)),
      waitForSync: () => this.controller.waitForSync(),
      startedAtMs: options.startedAtMs ?? (options.wallTime ?? Date.now)(),
      clock: this.#clock,
      logger,
      metrics: new PublisherPrometheusMetrics(this.controller.metrics.registry, () => this.#publication.state()),
    });
  }
}

/** The Lease client of the cluster that `config` watches (or the default kubeconfig's). */
function defaultLeaseClient(config: Config): { client: LeaseClient; close(): void } {
  const kube = config.source.kubernetes;
  const api = createApiClient({ kubeconfig: kube?.kubeconfig, context: kube?.context });
  const { namespace, lease } = config.leaderElection;
  return { client: new ApiLeaseClient(api, namespace, lease), close: () => api.close() };
}

/** The config file, every template file and every list file of a for_each: a change to any of them triggers a reload. */
function watchedFiles(config: Config): string[] {
  const files = config.file === INLINE_FILE ? [] : [config.file];
  for (const template of config.templates) files.push(...[template.path, template.forEach?.import].filter((file) => file !== undefined));
  return files;
}
