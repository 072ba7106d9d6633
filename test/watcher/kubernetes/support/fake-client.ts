import type { ApiClient, ApiRequestOptions, ApiResponse } from '../../../../src/kube/index.ts';

/** A body the test feeds by hand: push text, then end or fail it. */
export class FakeStream {
  readonly #queue: Array<{ chunk?: Uint8Array; end?: true; error?: Error }> = [];
  #wake: (() => void) | undefined;

  push(text: string): void {
    this.#put({ chunk: Buffer.from(text) });
  }

  end(): void {
    this.#put({ end: true });
  }

  fail(error: Error): void {
    this.#put({ error });
  }

  /** The body as the client hands it out; rejects with AbortError when `signal` aborts. */
  async *iterate(signal: AbortSignal): AsyncGenerator<Uint8Array> {
    for (;;) {
      const item = this.#queue.shift() ?? (await this.#next(signal));
      if (item.error) throw item.error;
      if (item.end) return;
      if (item.chunk) yield item.chunk;
    }
  }

  #next(signal: AbortSignal): Promise<{ chunk?: Uint8Array; end?: true; error?: Error }> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(abortError());
      const onAbort = (): void => reject(abortError());
      signal.addEventListener('abort', onAbort, { once: true });
      this.#wake = () => {
        signal.removeEventListener('abort', onAbort);
        resolve(this.#queue.shift()!);
      };
    });
  }

  #put(item: { chunk?: Uint8Array; end?: true; error?: Error }): void {
    this.#queue.push(item);
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** What the fake answers to one request. */
export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** A JSON body (serialized) or raw chunks. */
  json?: unknown;
  chunks?: string[];
  /** A body fed by the test. */
  stream?: FakeStream;
  /** Fail the request itself (e.g. ECONNREFUSED). */
  error?: Error;
}

/** An ApiClient answering from a handler, recording requests and counting open bodies. */
export class FakeApiClient implements ApiClient {
  readonly requests: Array<{ path: string; query: URLSearchParams }> = [];
  /** Bodies handed out and not yet finished (ended, failed or aborted). */
  open = 0;
  closed = false;
  readonly #handler: (path: string, query: URLSearchParams) => FakeReply;

  constructor(handler: (path: string, query: URLSearchParams) => FakeReply) {
    this.#handler = handler;
  }

  async request(path: string, query: URLSearchParams, options: ApiRequestOptions): Promise<ApiResponse> {
    options.signal.throwIfAborted();
    this.requests.push({ path, query: new URLSearchParams(query) });
    const reply = this.#handler(path, query);
    if (reply.error) throw reply.error;
    const stream = reply.stream ?? fixedStream(reply);
    return {
      status: reply.status ?? 200,
      headers: lowerCase(reply.headers ?? {}),
      body: this.#track(stream.iterate(options.signal)),
      cancel: () => stream.end(),
    };
  }

  close(): void {
    this.closed = true;
  }

  /** Requests whose query has watch=true. */
  watches(): Array<{ path: string; query: URLSearchParams }> {
    return this.requests.filter((r) => r.query.get('watch') === 'true');
  }

  /** Requests that are lists (a collection path, no watch). */
  lists(): Array<{ path: string; query: URLSearchParams }> {
    return this.requests.filter((r) => r.query.get('watch') === null && r.query.has('limit'));
  }

  async *#track(body: AsyncGenerator<Uint8Array>): AsyncGenerator<Uint8Array> {
    this.open++;
    try {
      yield* body;
    } finally {
      this.open--;
    }
  }
}

function fixedStream(reply: FakeReply): FakeStream {
  const stream = new FakeStream();
  if (reply.json !== undefined) stream.push(JSON.stringify(reply.json));
  for (const chunk of reply.chunks ?? []) stream.push(chunk);
  stream.end();
  return stream;
}

function lowerCase(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function abortError(): Error {
  return new DOMException('This operation was aborted', 'AbortError');
}

/** A discovery document for the resources the unit tests use. */
export function discoveryReply(path: string): FakeReply | undefined {
  if (path === '/api/v1') {
    return { json: { kind: 'APIResourceList', groupVersion: 'v1', resources: [
      { name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', verbs: ['get', 'list', 'watch'] },
      { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['get', 'list', 'watch'] },
      { name: 'secrets', singularName: 'secret', namespaced: true, kind: 'Secret', verbs: ['get', 'list', 'watch'] },
      { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list', 'watch'] },
      { name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
      { name: 'bindings', singularName: 'binding', namespaced: true, kind: 'Binding', verbs: ['create'] },
    ] } };
  }
  if (path === '/apis/networking.k8s.io/v1') {
    return { json: { kind: 'APIResourceList', groupVersion: 'networking.k8s.io/v1', resources: [
      { name: 'ingresses', singularName: 'ingress', namespaced: true, kind: 'Ingress', verbs: ['get', 'list', 'watch'] },
      { name: 'ingressclasses', singularName: 'ingressclass', namespaced: false, kind: 'IngressClass', verbs: ['get', 'list', 'watch'] },
    ] } };
  }
  if (/^\/api\/[^/]+$|^\/apis\/[^/]+\/[^/]+$/.test(path)) return { status: 404, json: { kind: 'Status', code: 404, reason: 'NotFound' } };
  return undefined;
}
