/**
 * StatusServer: a small node:http server for probes, metrics and debugging. One listener
 * serves the status endpoints (probes and /metrics), the debug endpoints, or both (the
 * daemon runs /debug/ on a loopback listener of its own by default). GET (and HEAD), and
 * POST for the debug cache actions only; every answer is JSON except /metrics (Prometheus
 * text), a rendered output (text) and the status page /debug/ui (HTML). /metrics and
 * /debug/ are served only to callers the access check allows (401/403 otherwise); probes
 * are always open. A handler that throws answers 500 and is logged; the server never
 * crashes the process.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import type { Logger } from '../log.ts';
import { allowEveryone, type AccessCheck } from './access.ts';
import { debugAction, debugAnswer, type DebugAnswer } from './debug.ts';
import type { ProbeResult, ServerBackend } from './types.ts';
import { parseListen } from './listen.ts';

/** How to start a StatusServer. */
export interface StatusServerOptions {
  /** "host:port"; port 0 picks a free port (tests). */
  listen: string;
  backend: ServerBackend;
  logger: Logger;
  /** What this listener serves: the status endpoints (probes, /metrics), /debug/, or both; default both. */
  serves?: { status: boolean; debug: boolean };
  /** Who may read /metrics and /debug/; default everyone (server.auth: none). */
  access?: AccessCheck;
}

/** Defaults of the server. */
export const DEFAULTS = Object.freeze({
  /** Keep-alive for scrapers and probes (ms); short, so shutdown is never held up for long. */
  keepAliveTimeoutMs: 5_000,
  /** A request whose headers take longer than this is dropped (ms): slowloris protection. */
  headersTimeoutMs: 10_000,
  /** A large answer is produced in slices of this long (ms) at most, other requests served between them. */
  sliceMs: 5,
  /** Large answers (store queries) produced at once; others wait, so a burst of queries cannot starve the process. */
  maxStreams: 2,
  /** Large answers waiting for their turn at most; more are refused with 429 (the caller retries). */
  maxQueuedStreams: 32,
});

/** The probes, metrics and debug server (see the module comment); start() listens, close() stops. */
export class StatusServer {
  readonly #server: http.Server;
  readonly #backend: ServerBackend;
  readonly #log: Logger;
  readonly #serves: { status: boolean; debug: boolean };
  readonly #access: AccessCheck;
  readonly #streams = pLimit(DEFAULTS.maxStreams);

  private constructor(options: StatusServerOptions) {
    this.#backend = options.backend;
    this.#serves = options.serves ?? { status: true, debug: true };
    this.#access = options.access ?? allowEveryone;
    this.#log = options.logger.child({ component: 'server' });
    this.#server = http.createServer(
      { keepAliveTimeout: DEFAULTS.keepAliveTimeoutMs, headersTimeout: DEFAULTS.headersTimeoutMs },
      (req, res) => void this.#handle(req, res),
    );
  }

  /** Starts listening; rejects (EADDRINUSE, EACCES) naming the address. */
  static async start(options: StatusServerOptions): Promise<StatusServer> {
    const server = new StatusServer(options);
    const { host, port } = parseListen(options.listen);
    await new Promise<void>((resolve, reject) => {
      server.#server.once('error', (err) => reject(new Error(`cannot listen on ${options.listen}: ${err.message}`, { cause: err })));
      server.#server.listen(port, host, () => resolve());
    });
    server.#log.info({ address: server.url, endpoints: server.#endpoints() }, 'listening');
    return server;
  }

  /** http://host:port as bound (with the real port when 0 was asked for). */
  get url(): string {
    const address = this.#server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  /** Stops listening and closes every connection, idle or not. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const post = req.method === 'POST' && isDebugPath(url);
    if (req.method !== 'GET' && req.method !== 'HEAD' && !post) {
      return send(res, req, { status: 405, allow: 'GET, HEAD', json: { error: `method ${req.method} not allowed; use GET` } });
    }
    req.resume(); // no endpoint reads a body
    try {
      const answer = post ? await this.#act(req, url) : await this.#answer(req, url);
      if (!answer.chunks) send(res, req, answer);
      else if (this.#streams.pendingCount >= DEFAULTS.maxQueuedStreams) send(res, req, BUSY);
      else await this.#stream(res, req, answer.chunks);
    } catch (err) {
      this.#log.error({ err, path: url.pathname }, 'request failed');
      if (!res.headersSent) send(res, req, { status: 500, json: { error: (err as Error).message } });
      else res.destroy();
    }
  }

  /**
   * Sends a JSON answer piece by piece as `chunks` produces them (the work of producing
   * them is done here, between writes): waits when the client reads slowly, and gives
   * other requests (probes) a turn every DEFAULTS.sliceMs. Several large answers are
   * produced at most DEFAULTS.maxStreams at a time; the others wait their turn.
   */
  async #stream(res: http.ServerResponse, req: http.IncomingMessage, chunks: Iterable<string>): Promise<void> {
    await this.#streams(async () => {
      if (res.destroyed) return; // the client left while waiting
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
      if (req.method === 'HEAD') return void res.end();
      let slice = performance.now();
      for (const chunk of chunks) {
        if (res.destroyed) return;
        if (!res.write(chunk)) await once(res, 'drain').catch(() => undefined);
        if (performance.now() - slice >= DEFAULTS.sliceMs) {
          await new Promise((resolve) => setImmediate(resolve));
          slice = performance.now();
        }
      }
      res.end();
    });
  }

  /**
   * A POST below /debug/: the same guards as every debug endpoint (server.debug, the
   * access check with the verb `post`), and no request from a web page of another origin
   * (a form or script elsewhere cannot reach it through the operator's browser). Logged,
   * naming the action.
   */
  async #act(req: http.IncomingMessage, url: URL): Promise<DebugAnswer> {
    if (!this.#serves.debug) return { status: 404, json: { error: `no endpoint ${url.pathname}`, endpoints: this.#endpoints() } };
    const debug = this.#backend.debug();
    if (!debug) return debugOff();
    const refused = await this.#refused(req, url);
    if (refused) return refused;
    if (isCrossOrigin(req)) return { status: 403, json: { error: 'cross-origin POST refused (the Origin header names another host)' } };
    const answer = debugAction(debug, debugPath(url));
    if (answer.status === 200) this.#log.info({ path: url.pathname, result: answer.json }, 'debug action');
    return answer;
  }

  async #answer(req: http.IncomingMessage, url: URL): Promise<DebugAnswer> {
    const path = trimmed(url);
    const isDebug = isDebugPath(url);
    if (this.#serves.status && path === '/healthz') return probe(this.#backend.health(), 'healthy', 'unhealthy');
    if (this.#serves.status && path === '/readyz') return probe(this.#backend.readiness(), 'ready', 'not ready');
    if ((this.#serves.status && path === '/metrics') || (this.#serves.debug && isDebug)) {
      const refused = await this.#refused(req, url);
      if (refused) return refused;
      return isDebug ? this.#debug(url) : this.#metrics();
    }
    if (path === '/') return { status: 200, json: { endpoints: this.#endpoints() } };
    return { status: 404, json: { error: `no endpoint ${url.pathname}`, endpoints: this.#endpoints() } };
  }

  async #metrics(): Promise<DebugAnswer> {
    const { contentType, body } = await this.#backend.metrics();
    return { status: 200, text: body, contentType };
  }

  #debug(url: URL): DebugAnswer {
    const debug = this.#backend.debug();
    if (!debug) return debugOff();
    return debugAnswer(debug, debugPath(url), url.searchParams);
  }

  /** The refusal when the access check does not allow the request (see access.ts); undefined when it does. */
  async #refused(req: http.IncomingMessage, url: URL): Promise<DebugAnswer | undefined> {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    const decision = await this.#access({ token, path: url.pathname, verb: (req.method ?? 'GET').toLowerCase() });
    if (decision.allowed) return undefined;
    if (decision.status === 500) this.#log.warn({ path: url.pathname }, decision.reason);
    else this.#log.debug({ path: url.pathname, status: decision.status }, decision.reason);
    const headers = decision.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="informant"' } : undefined;
    return { status: decision.status, json: { error: decision.reason }, ...(headers ? { headers } : {}) };
  }

  #endpoints(): string[] {
    return [...(this.#serves.status ? ['/healthz', '/readyz', '/metrics'] : []), ...(this.#serves.debug ? ['/debug/'] : [])];
  }
}

/** The answer to a store query that finds too many waiting already. */
const BUSY: DebugAnswer = Object.freeze({
  status: 429,
  json: { error: 'too many large debug answers in progress; try again in a moment' },
  headers: { 'Retry-After': '1' },
});


/** A path below /debug (or /debug itself), trailing slashes ignored. */
function isDebugPath(url: URL): boolean {
  const path = trimmed(url);
  return path === '/debug' || path.startsWith('/debug/');
}

/** The path below /debug ("" for /debug itself). */
function debugPath(url: URL): string {
  return trimmed(url).slice('/debug'.length);
}

function trimmed(url: URL): string {
  return url.pathname.replace(/\/+$/, '') || '/';
}

function debugOff(): DebugAnswer {
  return { status: 404, json: { error: 'the debug endpoints are turned off (server.debug: false)' } };
}

/** True when a browser sent the request from a page of another origin than this server. */
function isCrossOrigin(req: http.IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

function probe(result: ProbeResult, good: string, bad: string): DebugAnswer {
  const notes = result.notes === undefined ? {} : { notes: result.notes };
  if (!result.ok) return { status: 503, json: { status: bad, reasons: result.reasons, ...notes } };
  const warnings = result.warnings ?? [];
  return { status: 200, json: { status: good, ...(warnings.length > 0 ? { warnings } : {}), ...notes } };
}

function send(res: http.ServerResponse, req: http.IncomingMessage, answer: DebugAnswer): void {
  const body = answer.text ?? `${JSON.stringify(answer.json, null, 2)}\n`;
  const contentType = answer.contentType ?? (answer.text !== undefined ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8');
  res.writeHead(answer.status, {
    ...(answer.allow === undefined ? {} : { Allow: answer.allow }),
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...answer.headers,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
