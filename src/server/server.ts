/**
 * StatusServer: a small node:http server for probes, metrics and debugging. GET (and
 * HEAD), and POST for the debug cache actions only; every answer is JSON except /metrics
 * (Prometheus text) and a rendered output (text). A handler that throws answers 500 and is
 * logged; the server never crashes the process.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.ts';
import { debugAction, debugAnswer, type DebugAnswer } from './debug.ts';
import type { ProbeResult, ServerBackend } from './types.ts';
import { parseListen } from './listen.ts';

/** How to start a StatusServer. */
export interface StatusServerOptions {
  /** "host:port"; port 0 picks a free port (tests). */
  listen: string;
  backend: ServerBackend;
  logger: Logger;
}

/** Defaults of the server. */
export const DEFAULTS = Object.freeze({
  /** Keep-alive for scrapers and probes (ms); short, so shutdown is never held up for long. */
  keepAliveTimeoutMs: 5_000,
  /** A request whose headers take longer than this is dropped (ms): slowloris protection. */
  headersTimeoutMs: 10_000,
});

/** The probes, metrics and debug server (see the module comment); start() listens, close() stops. */
export class StatusServer {
  readonly #server: http.Server;
  readonly #backend: ServerBackend;
  readonly #log: Logger;

  private constructor(options: StatusServerOptions) {
    this.#backend = options.backend;
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
    server.#log.info({ address: server.url }, 'listening');
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
      send(res, req, post ? this.#act(req, url) : await this.#answer(url));
    } catch (err) {
      this.#log.error({ err, path: url.pathname }, 'request failed');
      send(res, req, { status: 500, json: { error: (err as Error).message } });
    }
  }

  /**
   * A POST below /debug/: the same guard as every debug endpoint (server.debug), and no
   * request from a web page of another origin (a form or script elsewhere cannot reach it
   * through the operator's browser). Logged, naming the action.
   */
  #act(req: http.IncomingMessage, url: URL): DebugAnswer {
    const debug = this.#backend.debug();
    if (!debug) return debugOff();
    if (isCrossOrigin(req)) return { status: 403, json: { error: 'cross-origin POST refused (the Origin header names another host)' } };
    const answer = debugAction(debug, debugPath(url));
    if (answer.status === 200) this.#log.info({ path: url.pathname, result: answer.json }, 'debug action');
    return answer;
  }

  async #answer(url: URL): Promise<DebugAnswer & { contentType?: string }> {
    const path = trimmed(url);
    if (path === '/healthz') return probe(this.#backend.health(), 'healthy', 'unhealthy');
    if (path === '/readyz') return probe(this.#backend.readiness(), 'ready', 'not ready');
    if (path === '/metrics') {
      const { contentType, body } = await this.#backend.metrics();
      return { status: 200, text: body, contentType };
    }
    if (isDebugPath(url)) {
      const debug = this.#backend.debug();
      if (!debug) return debugOff();
      return debugAnswer(debug, debugPath(url), url.searchParams);
    }
    if (path === '/') return { status: 200, json: { endpoints: ['/healthz', '/readyz', '/metrics', '/debug/'] } };
    return { status: 404, json: { error: `no endpoint ${url.pathname}`, endpoints: ['/healthz', '/readyz', '/metrics', '/debug/'] } };
  }
}

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
  return result.ok ? { status: 200, json: { status: good, ...notes } } : { status: 503, json: { status: bad, reasons: result.reasons, ...notes } };
}

function send(res: http.ServerResponse, req: http.IncomingMessage, answer: DebugAnswer & { contentType?: string }): void {
  const body = answer.text ?? `${JSON.stringify(answer.json, null, 2)}\n`;
  const contentType = answer.contentType ?? (answer.text !== undefined ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8');
  res.writeHead(answer.status, {
    ...(answer.allow === undefined ? {} : { Allow: answer.allow }),
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
