/**
 * The HTTP seam to an API server. `ApiClient` is all the reflector needs (one GET with a
 * query, an abort signal and an Accept header, answered with a status and a byte stream);
 * `HttpApiClient` implements it with node:http/https, taking the server URL, credentials
 * and TLS settings from a kubeconfig through @kubernetes/client-node, and also sends other
 * methods with a JSON body (the Lease client's create and update).
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeconfigError } from './errors.ts';

/** An answer whose body has not been read yet. */
export interface ApiResponse {
  status: number;
  /** Header values by lower-case name (the first value when repeated). */
  headers: Readonly<Record<string, string | undefined>>;
  /** The body; read it to the end or call `cancel`. Errors when the request is aborted. */
  body: AsyncIterable<Uint8Array>;
  /** Stops reading and releases the connection. */
  cancel(): void;
}

/** Per-request options. */
export interface ApiRequestOptions {
  /** Aborting it cancels the request at any stage, releasing its socket. */
  signal: AbortSignal;
  /** Accept header; default "application/json". */
  accept?: string;
}

/** Options of HttpApiClient.send: any method, an optional JSON body. */
export interface ApiSendOptions extends ApiRequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent as JSON (Content-Type `contentType`). */
  body?: unknown;
  /** Default "application/json" (a merge patch wants "application/merge-patch+json"). */
  contentType?: string;
  query?: URLSearchParams;
}

/** GET requests against one API server, authenticated. */
export interface ApiClient {
  /** GETs `path` (e.g. "/api/v1/pods") with `query`; resolves once the headers arrive. */
  request(path: string, query: URLSearchParams, options: ApiRequestOptions): Promise<ApiResponse>;
  /** Releases pooled connections; requests still running are not affected. */
  close(): void;
}

/** Anything that can send a request with a JSON body (HttpApiClient can): the Lease client and the reviews. */
export interface JsonSender {
  send(path: string, options: ApiSendOptions): Promise<ApiResponse>;
}

const DEFAULTS = Object.freeze({
  /** TCP keepalive probe delay, in ms: 30 s, as client-go and client-node use, so a dead
   * peer is noticed by the kernel too, not only by the inactivity timeout. */
  tcpKeepAliveMs: 30_000,
  userAgent: 'informant',
});

/** Request settings derived from a kubeconfig for one request. */
type HttpsSettings = https.RequestOptions & { headers?: Record<string, string> };

/**
 * An ApiClient speaking HTTP(S) to the current cluster of a loaded KubeConfig. Credentials
 * are applied per request, so rotating tokens (exec plugins, projected service account
 * tokens) are picked up as the kubeconfig's authenticators refresh them.
 */
export class HttpApiClient implements ApiClient {
  readonly #kc: KubeConfig;
  readonly #server: string;
  readonly #agents = new Set<http.Agent>();

  constructor(kc: KubeConfig) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new KubeconfigError(`kubeconfig context "${kc.getCurrentContext()}" names no cluster`);
    this.#kc = kc;
    this.#server = cluster.server.replace(/\/+$/, '');
    if (this.#server.startsWith('http:')) allowPlainHttp(kc, cluster.name);
  }

  /** The API server's base URL. */
  get server(): string {
    return this.#server;
  }

  async request(path: string, query: URLSearchParams, options: ApiRequestOptions): Promise<ApiResponse> {
    return this.send(path, { ...options, method: 'GET', query });
  }

  /**
   * Sends one request with any method and an optional JSON body (e.g. creating or updating
   * a Lease); resolves once the headers arrive, like `request`.
   */
  async send(path: string, options: ApiSendOptions): Promise<ApiResponse> {
    options.signal.throwIfAborted();
    const settings = await this.#settings();
    const url = new URL(this.#server + path);
    if (options.query) url.search = options.query.toString();
    return sendRequest(url, settings, options);
  }

  close(): void {
    for (const agent of this.#agents) agent.destroy();
    this.#agents.clear();
  }

  async #settings(): Promise<HttpsSettings> {
    const settings: HttpsSettings = {};
    try {
      await this.#kc.applyToHTTPSOptions(settings);
    } catch (err) {
      throw new KubeconfigError(`cannot apply kubeconfig credentials for ${this.#server}: ${(err as Error).message}`, { cause: err });
    }
    if (settings.agent instanceof http.Agent) this.#agents.add(settings.agent);
    return settings;
  }
}

/**
 * client-node refuses `http:` servers unless insecure-skip-tls-verify is set, although
 * there is no TLS to verify. kubectl accepts them (`kubectl proxy`, local test servers), so
 * we do too: mark that cluster as not verifying TLS, which for http changes nothing else.
 */
function allowPlainHttp(kc: KubeConfig, clusterName: string): void {
  kc.clusters = kc.clusters.map((c) => (c.name === clusterName ? { ...c, skipTLSVerify: true } : c));
}

function sendRequest(url: URL, settings: HttpsSettings, options: ApiSendOptions): Promise<ApiResponse> {
  const transport = url.protocol === 'https:' ? https : http;
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers = {
    ...settings.headers,
    Accept: options.accept ?? 'application/json',
    'User-Agent': DEFAULTS.userAgent,
    ...(body !== undefined ? { 'Content-Type': options.contentType ?? 'application/json' } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = transport.request(url, { ...settings, method: options.method, headers, signal: options.signal });
    req.on('socket', (socket) => socket.setKeepAlive(true, DEFAULTS.tcpKeepAliveMs));
    req.on('error', reject);
    req.on('response', (res) => resolve(toResponse(req, res)));
    req.end(body);
  });
}

function toResponse(req: http.ClientRequest, res: http.IncomingMessage): ApiResponse {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(res.headers)) headers[name] = Array.isArray(value) ? value[0] : value;
  // After the response arrived, errors surface through the body; keep the request quiet.
  req.removeAllListeners('error');
  req.on('error', () => {});
  return {
    status: res.statusCode ?? 0,
    headers,
    body: res,
    cancel: () => {
      res.destroy();
      req.destroy();
    },
  };
}

/** Reads a whole body (calling `onChunk` per chunk, e.g. to feed an inactivity timer). */
export async function readBody(body: AsyncIterable<Uint8Array>, onChunk?: () => void): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) {
    onChunk?.();
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** Reads a body as JSON; undefined when it is empty or not JSON (error bodies may be either). */
export async function readJsonOrUndefined(response: ApiResponse, onChunk?: () => void): Promise<unknown> {
  const text = (await readBody(response.body, onChunk)).toString('utf8');
  try {
    return text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}
