/**
 * The daemon's HTTP listeners, matched to `server` of the running config: the status
 * server (probes and /metrics on server.listen) and, when server.debug is on, the debug
 * server (/debug/ on server.debug_listen, loopback by default; one listener serves both
 * when the two addresses are equal). Access to /metrics and /debug/ follows server.auth
 * (see server/access.ts): `auto` means `kubernetes` in a cluster, `none` elsewhere.
 */
import type { Config, ServerConfig } from '../config/types.ts';
import { createApiClient, runningInCluster, type JsonSender } from '../kube/index.ts';
import type { Logger } from '../log.ts';
import { allowEveryone, isLoopback, kubernetesAccess, StatusServer, type AccessCheck, type ServerBackend } from '../server/index.ts';

/** A connection to the API server that reviews tokens and access, and what closes it. */
export type AuthClientFactory = () => { sender: JsonSender; close(): void };

/** What the listeners need besides the config. */
export interface ServersOptions {
  backend: ServerBackend;
  logger: Logger;
  /** The API server that reviews callers; default the cluster informant runs in (in-cluster, or KUBECONFIG). */
  createAuthClient?: AuthClientFactory;
  /** Whether this process runs in a cluster (server.auth: auto); default: a service account is mounted. */
  inCluster?: boolean;
}

/** The status and debug listeners (see the module comment). */
export class Servers {
  readonly #options: ServersOptions;
  readonly #log: Logger;
  #status: StatusServer | undefined;
  /** The listener serving /debug/: its own, or the status server's. */
  #debug: StatusServer | undefined;
  #closeClient: (() => void) | undefined;
  #key: string | undefined;

  constructor(options: ServersOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'daemon' });
  }

  /** The status server's base URL, when it runs. */
  get url(): string | undefined {
    return this.#status?.url;
  }

  /** The base URL /debug/ is served at, when it is on. */
  get debugUrl(): string | undefined {
    return this.#debug?.url;
  }

  /** Starts, moves or stops the listeners to match `config.server`; rejects (after closing them) when one cannot listen. */
  async apply(config: Config): Promise<void> {
    const server = config.server;
    const key = JSON.stringify({ listen: server.listen, debug: server.debug, debugListen: server.debugListen, auth: server.auth });
    if (key === this.#key) return;
    await this.close();
    this.#key = key;
    const access = this.#access(server);
    const debugHere = server.debug && server.debugListen === server.listen;
    try {
      if (server.listen !== undefined) this.#status = await this.#start(server.listen, { status: true, debug: debugHere }, access);
      if (debugHere) this.#debug = this.#status;
      else if (server.debug) this.#debug = await this.#start(server.debugListen, { status: false, debug: true }, access);
    } catch (err) {
      await this.close();
      throw err;
    }
    this.#warnIfExposed(server, access);
  }

  /** Closes every listener and the review connection. */
  async close(): Promise<void> {
    const servers = new Set([this.#status, this.#debug]);
    this.#status = undefined;
    this.#debug = undefined;
    this.#key = undefined;
    await Promise.all([...servers].map((server) => server?.close()));
    this.#closeClient?.();
    this.#closeClient = undefined;
  }

  #start(listen: string, serves: { status: boolean; debug: boolean }, access: AccessCheck): Promise<StatusServer> {
    return StatusServer.start({ listen, serves, access, backend: this.#options.backend, logger: this.#options.logger });
  }

  /** The access check of server.auth; `auto` decides by where the process runs. */
  #access(server: ServerConfig): AccessCheck {
    const inCluster = this.#options.inCluster ?? runningInCluster();
    const mode = server.auth === 'auto' ? (inCluster ? 'kubernetes' : 'none') : server.auth;
    if (mode === 'none') return allowEveryone;
    const { sender, close } = (this.#options.createAuthClient ?? defaultAuthClient)();
    this.#closeClient = close;
    this.#log.info(`/metrics and /debug/ need a bearer token the API server accepts, with RBAC for the path (server.auth: ${server.auth})`);
    return kubernetesAccess({ sender });
  }

  #warnIfExposed(server: ServerConfig, access: AccessCheck): void {
    if (!server.debug || access !== allowEveryone || isLoopback(server.debugListen)) return;
    this.#log.warn(
      { debugListen: server.debugListen },
      '/debug/ serves every watched object and the outputs to anyone who can reach it: no authentication (server.auth) and not on loopback',
    );
  }
}

function defaultAuthClient(): { sender: JsonSender; close(): void } {
  const client = createApiClient();
  return { sender: client, close: () => client.close() };
}
