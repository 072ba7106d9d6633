/**
 * Reading and writing one coordination.k8s.io/v1 Lease through the API server, with the
 * optimistic concurrency the API gives (an update carrying a stale resourceVersion is
 * refused with 409, so two replicas can never both think they won).
 */
import { ApiRequestError, readBody, readJsonOrUndefined, type ApiResponse, type ApiSendOptions, type JsonSender } from '../kube/index.ts';

/** Defaults of ApiLeaseClient. */
export const DEFAULTS = Object.freeze({
  /** One Lease request may take this long (ms): under client-go's 10 s renew deadline. */
  requestTimeoutMs: 5_000,
});

/** The spec of a Lease (the leader election record). Times are RFC 3339 with microseconds. */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** A Lease as read from the API server. */
export interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; [field: string]: unknown };
  spec: LeaseSpec;
}

/** Get, create and update of one named Lease. */
export interface LeaseClient {
  /** What the elector says it works on, e.g. "lease default/informant". */
  readonly description: string;
  /** The Lease, or undefined when it does not exist. */
  get(): Promise<Lease | undefined>;
  /** Creates the Lease; a LeaseError with status 409 when it exists already. */
  create(spec: LeaseSpec): Promise<Lease>;
  /** Replaces the Lease; a LeaseError with status 409 when it changed since `lease` was read. */
  update(lease: Lease): Promise<Lease>;
}

/** A Lease request failed: the HTTP status (403, 409...) when there was an answer. */
export class LeaseError extends ApiRequestError {
  override readonly name = 'LeaseError';
}

/** A LeaseClient speaking to the API server through a JsonSender. */
export class ApiLeaseClient implements LeaseClient {
  readonly description: string;
  readonly #sender: JsonSender;
  readonly #namespace: string;
  readonly #name: string;
  readonly #timeoutMs: number;

  constructor(sender: JsonSender, namespace: string, name: string, options: { requestTimeoutMs?: number } = {}) {
    this.#sender = sender;
    this.#namespace = namespace;
    this.#name = name;
    this.#timeoutMs = options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
    this.description = `lease ${namespace}/${name}`;
  }

  async get(): Promise<Lease | undefined> {
    const response = await this.#send('GET', this.#path(this.#name));
    if (response.status === 404) {
      response.cancel();
      return undefined;
    }
    return this.#read(response, 'get');
  }

  async create(spec: LeaseSpec): Promise<Lease> {
    const body = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.#name, namespace: this.#namespace }, spec };
    return this.#read(await this.#send('POST', this.#path(), body), 'create');
  }

  async update(lease: Lease): Promise<Lease> {
    const body = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', ...lease };
    return this.#read(await this.#send('PUT', this.#path(this.#name), body), 'update');
  }

  #path(name?: string): string {
    const base = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.#namespace)}/leases`;
    return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
  }

  async #send(method: ApiSendOptions['method'], path: string, body?: unknown): Promise<ApiResponse> {
    try {
      return await this.#sender.send(path, { method, body, signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (err) {
      throw new LeaseError(`${method.toLowerCase()} ${this.description}: ${(err as Error).message}`, { cause: err });
    }
  }

  async #read(response: ApiResponse, verb: string): Promise<Lease> {
    if (response.status < 200 || response.status >= 300) {
      const status = (await readJsonOrUndefined(response)) as { message?: string } | undefined;
      const detail = typeof status?.message === 'string' ? `: ${status.message}` : '';
      const hint = response.status === 403 ? ` (grant ${verb} on leases in namespace ${this.#namespace})` : '';
      throw new LeaseError(`${verb} ${this.description} answered ${response.status}${hint}${detail}`, { status: response.status });
    }
    const text = (await readBody(response.body)).toString('utf8');
    try {
      const lease = JSON.parse(text) as Lease;
      return { ...lease, spec: lease.spec ?? {} };
    } catch (err) {
      throw new LeaseError(`${verb} ${this.description} answered invalid JSON`, { status: response.status, cause: err });
    }
  }
}
