import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createApiClient, readBody } from '../../src/kube/index.ts';
import { tempDir, writeKubeconfig } from './support/kubeconfig-file.ts';
import { haveOpenssl, makeCerts, type TestCerts } from './support/certs.ts';
import { eventually } from '../support/waiters.ts';

const b64 = (pem: string): string => Buffer.from(pem).toString('base64');

/** A kubeconfig with TLS data for `server` (the given CA, the client certificate). */
function tlsKubeconfig(dir: string, server: string, certs: TestCerts, ca = certs.ca): string {
  const file = path.join(dir, 'tls-kubeconfig');
  fs.writeFileSync(file, [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: c\n  cluster: {server: "${server}", certificate-authority-data: "${b64(ca)}"}`,
    'users:',
    `- name: u\n  user: {client-certificate-data: "${b64(certs.clientCert)}", client-key-data: "${b64(certs.clientKey)}"}`,
    'contexts:',
    '- name: x\n  context: {cluster: c, user: u}',
    'current-context: x',
    '',
  ].join('\n'));
  return file;
}

/** An HTTPS server that requires a client certificate signed by the test CA; answers with the client's CN. */
async function tlsServer(certs: TestCerts): Promise<{ url: string; close: () => Promise<void> }> {
  const srv = https.createServer({ key: certs.serverKey, cert: certs.serverCert, ca: certs.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    res.end(JSON.stringify({ cn: peer.subject?.CN }));
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as AddressInfo;
  return { url: `https://127.0.0.1:${port}`, close: () => new Promise((resolve) => { srv.closeAllConnections(); srv.close(() => resolve()); }) };
}

/** A loopback server recording requests; `/stall` sends headers and then nothing. */
async function server(): Promise<{ url: string; requests: http.IncomingMessage[]; openSockets: () => number; close: () => Promise<void> }> {
  const requests: http.IncomingMessage[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const srv = http.createServer((req, res) => {
    requests.push(req);
    if (req.url?.startsWith('/stall')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-extra': 'yes' });
    res.end('{"ok":true}');
  });
  srv.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    openSockets: () => sockets.size,
    close: () => new Promise((resolve) => { srv.closeAllConnections(); srv.close(() => resolve()); }),
  };
}

describe('HttpApiClient', () => {
  test('send the kubeconfig bearer token, the Accept header and the query to a plain http server', async (t) => {
    const srv = await server();
    const { dir, cleanup } = tempDir();
    t.after(async () => { cleanup(); await srv.close(); });
    const client = createApiClient({ kubeconfig: writeKubeconfig(dir, `${srv.url}/`, { token: 'tok-1' }) });
    const response = await client.request('/api/v1/pods', new URLSearchParams({ watch: 'true', labelSelector: 'a in (b,c)' }), {
      signal: new AbortController().signal,
      accept: 'application/json;as=Table',
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers['x-extra'], 'yes');
    assert.equal((await readBody(response.body)).toString(), '{"ok":true}');
    const req = srv.requests[0]!;
    assert.equal(req.url, '/api/v1/pods?watch=true&labelSelector=a+in+%28b%2Cc%29');
    assert.equal(req.headers.authorization, 'Bearer tok-1');
    assert.equal(req.headers.accept, 'application/json;as=Table');
    client.close();
  });

  test('release the socket when a streaming request is aborted', async (t) => {
    const srv = await server();
    const { dir, cleanup } = tempDir();
    t.after(async () => { cleanup(); await srv.close(); });
    const client = createApiClient({ kubeconfig: writeKubeconfig(dir, srv.url) });
    const controller = new AbortController();
    const response = await client.request('/stall', new URLSearchParams(), { signal: controller.signal });
    assert.equal(srv.openSockets(), 1);
    const reading = readBody(response.body);
    controller.abort();
    await assert.rejects(reading);
    await eventually(() => srv.openSockets() === 0, 'the server saw the connection close', { intervalMs: 0 });
    assert.equal(srv.openSockets(), 0, 'the server saw the connection close');
    client.close();
  });

  test('reject at once when the signal is already aborted', async (t) => {
    const { dir, cleanup } = tempDir();
    t.after(cleanup);
    const client = createApiClient({ kubeconfig: writeKubeconfig(dir, 'http://127.0.0.1:9') });
    await assert.rejects(client.request('/api', new URLSearchParams(), { signal: AbortSignal.abort() }), { name: 'AbortError' });
  });

  test('reject with the connection error when nothing listens', async (t) => {
    const srv = await server();
    const url = srv.url;
    await srv.close();
    const { dir, cleanup } = tempDir();
    t.after(cleanup);
    const client = createApiClient({ kubeconfig: writeKubeconfig(dir, url) });
    await assert.rejects(client.request('/api', new URLSearchParams(), { signal: new AbortController().signal }), { code: 'ECONNREFUSED' });
  });

  test('verify the server against the kubeconfig CA and present the client certificate over HTTPS', { skip: !haveOpenssl() && 'needs the openssl CLI' }, async (t) => {
    const { dir, cleanup } = tempDir();
    t.after(cleanup);
    const certs = makeCerts(dir);
    const srv = await tlsServer(certs);
    t.after(() => srv.close());
    const client = createApiClient({ kubeconfig: tlsKubeconfig(dir, srv.url, certs) });
    const response = await client.request('/api', new URLSearchParams(), { signal: new AbortController().signal });
    assert.equal(response.status, 200);
    assert.deepEqual(JSON.parse((await readBody(response.body)).toString()), { cn: 'informant-test' });
    client.close();

    const other = makeCerts(fs.mkdtempSync(path.join(dir, 'other-')));
    const untrusting = createApiClient({ kubeconfig: tlsKubeconfig(dir, srv.url, certs, other.ca) });
    await assert.rejects(
      untrusting.request('/api', new URLSearchParams(), { signal: new AbortController().signal }),
      (err: unknown) => /certificate/i.test(String((err as Error).message) + String((err as { code?: string }).code)),
    );
    untrusting.close();
  });
});
