/**
 * The Repository over etcd, through the `etcd3` npm client, kept thin so the client can be
 * swapped: strict create/update/delete and batches are single etcd transactions (compares
 * on the create or mod revision, or the value), lists are paged reads at one revision,
 * watches are EtcdWatch. Every failure is a KvError (see etcd-errors.ts).
 *
 * The client's own retries and circuit breakers are switched off: a retried transaction
 * can report AlreadyExists for a write that did succeed, and a breaker keeps a restarted
 * etcd unreachable for seconds. Callers retry with their own backoff on Unavailable.
 */
import { createRequire } from 'node:module';
import type { Etcd3, IOptions, IRequestOp, ICompare } from 'etcd3';
import { etcd3 } from './etcd3-module.ts';
import type { Logger } from '../../log.ts';
import { systemClock, type Clock } from '../../time/clock.ts';
import { validateBatch, validateKey } from '../batch.ts';
import { etcdClientOptions, type EtcdConnectionOptions } from './connection.ts';
import { toKvError } from './errors.ts';
import { keyAfter, prefixRange } from './range.ts';
import { recordOf } from './record.ts';
import { EtcdWatch } from './watch.ts';
import {
  KvError,
  type KvBatch,
  type KvGuard,
  type KvListing,
  type KvRecord,
  type KvWatch,
  type KvWatchHandlers,
  type Repository,
  type Revision,
} from '../types.ts';

/** Adapter defaults. */
export const ETCD_REPOSITORY_DEFAULTS = Object.freeze({
  /** Records per list page: bounds one response's size (objects are at most 1.5 MiB). */
  listPageSize: 500,
  /** How long close() waits for etcd to confirm a watch cancel, in ms. */
  cancelTimeoutMs: 2_000,
  /** Watch stream reconnect backoff, first and longest delay, in ms (jittered). */
  watchBackoffInitialMs: 250,
  watchBackoffMaxMs: 5_000,
});

/** Side effects an EtcdRepository takes from its caller. */
export interface EtcdRepositoryOptions {
  readonly logger: Logger;
  /** Timers for connect and cancel timeouts. Default: the system clock. */
  readonly clock?: Clock;
  /** How long to wait for a watch to be established, in ms. */
  readonly connectTimeoutMs: number;
}

/** A Repository backed by one etcd cluster; see the module comment. */
export class EtcdRepository implements Repository {
  readonly #client: Etcd3;
  readonly #options: Required<EtcdRepositoryOptions>;
  readonly #watches = new Set<EtcdWatch>();
  #closed = false;

  /** Takes ownership of `client`: close() closes it. */
  constructor(client: Etcd3, options: EtcdRepositoryOptions) {
    this.#client = client;
    this.#options = { clock: systemClock, ...options };
  }

  async get(key: string): Promise<KvRecord | undefined> {
    validateKey(key);
    const response = await this.#call('get', key, () => this.#client.kv.range({ key: Buffer.from(key) }));
    const kv = response.kvs[0];
    return kv ? recordOf(kv) : undefined;
  }

  async list(prefix: string): Promise<KvListing> {
    const range = prefixRange(prefix);
    const records: KvRecord[] = [];
    let revision: string | undefined;
    let start = range.key;
    for (;;) {
      const page = await this.#call('list', prefix, () =>
        this.#client.kv.range({
          key: start,
          range_end: range.range_end,
          limit: ETCD_REPOSITORY_DEFAULTS.listPageSize,
          ...(revision === undefined ? {} : { revision }),
        }),
      );
      revision ??= page.header.revision;
      for (const kv of page.kvs) records.push(recordOf(kv));
      const last = page.kvs[page.kvs.length - 1];
      if (!page.more || !last) break;
      start = keyAfter(last.key);
    }
    return Object.freeze({ records: Object.freeze(records), revision: BigInt(revision) });
  }

  async create(key: string, value: string): Promise<Revision> {
    validateKey(key);
    const response = await this.#txn('create', key, {
      compare: [{ key: Buffer.from(key), target: 'Create', result: 'Equal', create_revision: '0' }],
      success: [put(key, value)],
    });
    if (!response.succeeded) throw new KvError('AlreadyExists', `key ${key} already exists`, { key });
    return BigInt(response.header.revision);
  }

  async update(key: string, value: string, options: { expectedRevision?: Revision } = {}): Promise<Revision> {
    validateKey(key);
    const response = await this.#strict('update', key, options.expectedRevision, put(key, value));
    return BigInt(response.header.revision);
  }

  async delete(key: string, options: { expectedRevision?: Revision } = {}): Promise<void> {
    validateKey(key);
    await this.#strict('delete', key, options.expectedRevision, { request_delete_range: { key: Buffer.from(key) } });
  }

  async commit(batch: KvBatch): Promise<Revision> {
    validateBatch(batch);
    const guardKeys = [...new Set(batch.guards.map((guard) => guard.key))];
    const only = batch.operations.length === 1 ? batch.operations[0]!.key : undefined;
    const response = await this.#txn('commit', only, {
      compare: batch.guards.map(compareOf),
      success: batch.operations.map((op) => (op.type === 'put' ? put(op.key, op.value) : { request_delete_range: { key: Buffer.from(op.key) } })),
      failure: guardKeys.map((key) => ({ request_range: { key: Buffer.from(key) } })),
    });
    if (!response.succeeded) throw failedGuard(batch.guards, guardKeys, response.responses);
    return BigInt(response.header.revision);
  }

  async watch(prefix: string, afterRevision: Revision, handlers: KvWatchHandlers): Promise<KvWatch> {
    this.#assertOpen('watch');
    const { clock, logger, connectTimeoutMs } = this.#options;
    const watch = await EtcdWatch.open(prefix, afterRevision, handlers, {
      client: this.#client,
      clock,
      logger,
      connectTimeoutMs,
      cancelTimeoutMs: ETCD_REPOSITORY_DEFAULTS.cancelTimeoutMs,
    });
    this.#watches.add(watch);
    const close = watch.close.bind(watch);
    return {
      close: async () => {
        this.#watches.delete(watch);
        await close();
      },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#watches].map((watch) => watch.close()));
    this.#watches.clear();
    this.#client.close();
  }

  /** A put or delete of a key that must exist, at `expected` when given; NotFound or Conflict otherwise. */
  async #strict(what: string, key: string, expected: Revision | undefined, operation: IRequestOp) {
    const buffer = Buffer.from(key);
    const compare: ICompare =
      expected === undefined
        ? { key: buffer, target: 'Create', result: 'Greater', create_revision: '0' }
        : { key: buffer, target: 'Mod', result: 'Equal', mod_revision: String(expected) };
    const response = await this.#txn(what, key, { compare: [compare], success: [operation], failure: [{ request_range: { key: buffer } }] });
    if (response.succeeded) return response;
    const current = response.responses[0]?.response_range?.kvs[0];
    if (!current) throw new KvError('NotFound', `key ${key} does not exist`, { key });
    throw new KvError('Conflict', `key ${key} is at revision ${current.mod_revision}, not ${expected}`, { key });
  }

  #txn(what: string, key: string | undefined, request: Parameters<Etcd3['kv']['txn']>[0]) {
    return this.#call(what, key, () => this.#client.kv.txn(request));
  }

  async #call<T>(what: string, key: string | undefined, fn: () => Promise<T>): Promise<T> {
    this.#assertOpen(what);
    try {
      return await fn();
    } catch (err) {
      throw toKvError(err, what, key);
    }
  }

  #assertOpen(what: string): void {
    if (this.#closed) throw new KvError('Unavailable', `etcd ${what}: the repository is closed`);
  }
}

function put(key: string, value: string): IRequestOp {
  return { request_put: { key: Buffer.from(key), value: Buffer.from(value) } };
}

function compareOf(guard: KvGuard): ICompare {
  const key = Buffer.from(guard.key);
  if ('value' in guard) return { key, target: 'Value', result: 'Equal', value: Buffer.from(guard.value) };
  return { key, target: 'Mod', result: 'Equal', mod_revision: String(guard.modRevision) };
}

/** The Conflict of a failed batch, naming the first guard that does not hold. */
function failedGuard(
  guards: readonly KvGuard[],
  guardKeys: readonly string[],
  responses: Awaited<ReturnType<Etcd3['kv']['txn']>>['responses'],
): KvError {
  const current = new Map(guardKeys.map((key, i) => [key, responses[i]?.response_range?.kvs[0]]));
  const failed = guards.find((guard) => {
    const kv = current.get(guard.key);
    if ('value' in guard) return kv === undefined || kv.value.toString('utf8') !== guard.value;
    return BigInt(kv?.mod_revision ?? '0') !== guard.modRevision;
  });
  const key = failed?.key ?? guards[0]?.key;
  return new KvError('Conflict', `guard on ${key} does not hold`, key === undefined ? {} : { key });
}

/**
 * Connects to the etcd cluster `config` names (lazily: the first request dials) and returns
 * its Repository. TLS and password files are read now (Invalid when unreadable).
 */
export function connectEtcd(config: EtcdConnectionOptions, logger: Logger, options: { clock?: Clock } = {}): Repository {
  const { noop, ExponentialBackoff } = cockatiel();
  const clientOptions: IOptions = {
    ...etcdClientOptions(config),
    faultHandling: {
      host: () => noop,
      global: noop,
      watchBackoff: new ExponentialBackoff({
        initialDelay: ETCD_REPOSITORY_DEFAULTS.watchBackoffInitialMs,
        maxDelay: ETCD_REPOSITORY_DEFAULTS.watchBackoffMaxMs,
      }),
    },
  };
  return new EtcdRepository(new (etcd3().Etcd3)(clientOptions), {
    logger: logger.child({ component: 'kv', backend: 'etcd' }),
    connectTimeoutMs: config.dialTimeoutMs,
    ...(options.clock ? { clock: options.clock } : {}),
  });
}

type FaultHandling = NonNullable<IOptions['faultHandling']>;

/**
 * The fault-handling library `etcd3` itself is built on (resolved from etcd3's own
 * location, so it is the very copy etcd3 uses; informant does not depend on it directly).
 */
function cockatiel(): {
  noop: NonNullable<FaultHandling['global']>;
  ExponentialBackoff: new (options: { initialDelay: number; maxDelay: number }) => NonNullable<FaultHandling['watchBackoff']>;
} {
  const fromHere = createRequire(import.meta.url);
  return createRequire(fromHere.resolve('etcd3'))('cockatiel');
}
