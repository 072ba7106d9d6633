/**
 * StatusServer: a small node:http server for probes, metrics and debugging. GET (and
 * HEAD) only; every answer is JSON except /metrics (Prometheus text) and a rendered
 * output (text). A handler that throws answers 500 and is logged; the server never
 * crashes the process.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.ts';
import { debugAnswer, type DebugAnswer } from './debug.ts';
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
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, req, { status: 405, json: { error: `method ${req.method} not allowed; use GET` } });
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      send(res, req, await this.#answer(url));
    } catch (err) {
      this.#log.error({ err, path: url.pathname }, 'request failed');
      send(res, req, { status: 500, json: { error: (err as Error).message } });
    }
  }

  async #answer(url: URL): Promise<DebugAnswer & { contentType?: string }> {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/healthz') return probe(this.#backend.health(), 'healthy', 'unhealthy');
    if (path === '/readyz') return probe(this.#backend.readiness(), 'ready', 'not ready');
    if (path === '/metrics') {
      const { contentType, body } = await this.#backend.metrics();
      return { status: 200, text: body, contentType };
    }
    if (path === '/debug' || path.startsWith('/debug/')) {
      const debug = this.#backend.debug();
      if (!debug) return { status: 404, json: { error: 'the debug endpoints are turned off (server.debug: false)' } };
      return debugAnswer(debug, path.slice('/debug'.length), url.searchParams);
    }
    if (path === '/') return { status: 200, json: { endpoints: ['/healthz', '/readyz', '/metrics', '/debug/'] } };
    return { status: 404, json: { error: `no endpoint ${url.pathname}`, endpoints: ['/healthz', '/readyz', '/metrics', '/debug/'] } };
  }
}

function probe(result: ProbeResult, good: string, bad: string): DebugAnswer {
  if (!result.ok) return { status: 503, json: { status: bad, reasons: result.reasons } };
  const warnings = result.warnings ?? [];
  return { status: 200, json: warnings.length > 0 ? { status: good, warnings } : { status: good } };
}

function send(res: http.ServerResponse, req: http.IncomingMessage, answer: DebugAnswer & { contentType?: string }): void {
  const body = answer.text ?? `${JSON.stringify(answer.json, null, 2)}\n`;
  const contentType = answer.contentType ?? (answer.text !== undefined ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8');
  res.writeHead(answer.status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
