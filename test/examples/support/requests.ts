/**
 * Requests through a proxy under test: one GET on loopback (a new connection each, over TLS
 * with SNI when asked), what answered, and the backends that answer them (small node:http
 * servers answering with their own name).
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** How long one request may take before it fails (a guard against a hang, not a goal). */
const REQUEST_TIMEOUT_MS = 5_000;

/** What answered a request. */
export interface Answer {
  status: number;
  body: string;
  location?: string;
  /** Over TLS: the subject CN of the certificate the proxy presented. */
  certificate?: string;
}

/** A GET to 127.0.0.1:`port` for `host` (over TLS with `host` as SNI when `tls`). */
export function get(port: number, host: string, path: string, tls = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, path, headers: { host }, agent: false, timeout: REQUEST_TIMEOUT_MS };
    const request = tls ? https.request({ ...options, servername: host, rejectUnauthorized: false }) : http.request(options);
    request.once('response', (response) => {
      let body = '';
      const certificate = tls ? (response.socket as TLSSocket).getPeerCertificate().subject?.CN : undefined;
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.once('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body,
          ...(response.headers.location ? { location: response.headers.location } : {}),
          ...(certificate !== undefined ? { certificate: String(certificate) } : {}),
        }),
      );
    });
    request.once('timeout', () => request.destroy(new Error(`GET ${host}${path} timed out`)));
    request.once('error', reject);
    request.end();
  });
}

/** A backend on 127.0.0.1 that answers every request with `name`. */
export async function backend(name: string): Promise<http.Server> {
  const server = http.createServer((_req, res) => res.end(name));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** The port a server listens on. */
export function portOf(server: http.Server): number {
  return (server.address() as AddressInfo).port;
}
