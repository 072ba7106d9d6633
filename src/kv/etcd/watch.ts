/**
 * One watch of an EtcdRepository over an `etcd3` Watcher.
 *
 * - The changes of one watch response reach `onChanges` in one call (etcd never splits a
 *   transaction across responses), in revision order, each revision at most once.
 * - The position is ours, not the client's: `etcd3` resumes from the header revision of
 *   the last response, which can lie past changes not yet received while the watch was
 *   catching up. On every disconnect the watcher's start revision is reset to just after
 *   the last change delivered, so a reconnect replays exactly what was missed.
 * - ANY watcher error ends the watch (etcd reports a compaction only as a generic
 *   "Watcher canceled"): the watch asks etcd whether its position was compacted and
 *   reports onLost with a Compacted KvError if so, with the underlying error otherwise.
 */
import type { Etcd3, IWatchResponse, Watcher } from 'etcd3';
import type { Logger } from '../../log.ts';
import type { Clock } from '../../time/clock.ts';
import { isCompactedError, toKvError } from './errors.ts';
import { prefixRange } from './range.ts';
import { KvError, type KvChange, type KvWatch, type KvWatchHandlers, type Revision } from '../types.ts';
import { recordOf } from './record.ts';

/** What an EtcdWatch needs besides its prefix and handlers. */
export interface EtcdWatchOptions {
  readonly client: Etcd3;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long to wait for the watch to be established, in ms. */
  readonly connectTimeoutMs: number;
  /** How long close() waits for etcd to confirm the cancel, in ms. */
  readonly cancelTimeoutMs: number;
}

/** A watch on one prefix; create it with `EtcdWatch.open`. */
export class EtcdWatch implements KvWatch {
  readonly #prefix: string;
  readonly #handlers: KvWatchHandlers;
  readonly #options: EtcdWatchOptions;
  readonly #watcher: Watcher;
  #last: Revision;
  #connected = false;
  #everConnected = false;
  #closed = false;

  private constructor(prefix: string, after: Revision, handlers: KvWatchHandlers, options: EtcdWatchOptions) {
    this.#prefix = prefix;
    this.#handlers = handlers;
    this.#options = options;
    this.#last = after;
    this.#watcher = options.client.watch().prefix(prefix).startRevision(String(after + 1n)).watcher();
    this.#watcher.on('error', (err) => void this.#lose(err));
    this.#watcher.on('data', (response) => this.#onData(response));
    this.#watcher.on('disconnected', (err) => this.#onDisconnected(err));
    this.#watcher.on('connected', () => this.#onConnected());
  }

  /**
   * Watches `prefix` from the changes after `after`. Resolves once etcd confirmed the
   * watch (a watch etcd cancels at once resolves too and reports onLost); rejects with
   * Unavailable when etcd cannot be reached within the connect timeout.
   */
  static async open(prefix: string, after: Revision, handlers: KvWatchHandlers, options: EtcdWatchOptions): Promise<EtcdWatch> {
    const watch = new EtcdWatch(prefix, after, handlers, options);
    await watch.#established();
    return watch;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const { clock, cancelTimeoutMs } = this.#options;
    let timer: unknown;
    const timeout = new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, cancelTimeoutMs)));
    await Promise.race([this.#watcher.cancel().catch(() => undefined), timeout]);
    clock.clearTimeout(timer);
  }

  /** Resolves on the first 'connected' or 'error'; rejects on a disconnect or timeout before. */
  #established(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const { clock, connectTimeoutMs } = this.#options;
      const settle = (error?: KvError) => {
        clock.clearTimeout(timer);
        this.#watcher.off('connected', onConnected).off('error', onError).off('disconnected', onDisconnected);
        if (!error) return resolve();
        void this.close();
        reject(error);
      };
      const onConnected = () => settle();
      const onError = () => settle();
      const onDisconnected = (err: Error) => settle(toKvError(err, `watch ${this.#prefix}`));
      const timer = clock.setTimeout(
        () => settle(new KvError('Unavailable', `etcd watch ${this.#prefix}: not established within ${connectTimeoutMs} ms`)),
        connectTimeoutMs,
      );
      this.#watcher.on('connected', onConnected).on('error', onError).on('disconnected', onDisconnected);
    });
  }

  #onData(response: IWatchResponse): void {
    if (this.#closed) return;
    const changes: KvChange[] = [];
    for (const event of response.events) {
      const revision = BigInt(event.kv.mod_revision);
      if (revision <= this.#last) continue;
      const key = event.kv.key.toString('utf8');
      changes.push(event.type === 'Put' ? { type: 'put', record: recordOf(event.kv) } : { type: 'delete', key, modRevision: revision });
    }
    if (changes.length === 0) return;
    this.#last = lastRevisionOf(changes);
    this.#handlers.onChanges(changes);
  }

  #onDisconnected(err: Error): void {
    // Resume right after the last change delivered (see the module comment).
    this.#watcher.request.start_revision = String(this.#last + 1n);
    if (this.#closed || !this.#connected) return;
    this.#connected = false;
    const error = toKvError(err, `watch ${this.#prefix}`);
    this.#options.logger.debug({ prefix: this.#prefix, err: error }, 'etcd watch disconnected, resuming');
    this.#handlers.onDisconnected?.(error);
  }

  #onConnected(): void {
    const resumed = this.#everConnected && !this.#connected;
    this.#connected = true;
    this.#everConnected = true;
    if (this.#closed || !resumed) return;
    this.#options.logger.debug({ prefix: this.#prefix }, 'etcd watch resumed');
    this.#handlers.onConnected?.();
  }

  async #lose(err: Error): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const compacted = await this.#positionCompacted();
    const error = compacted
      ? new KvError('Compacted', `etcd watch ${this.#prefix}: revision ${this.#last + 1n} is compacted`, { cause: err })
      : toKvError(err, `watch ${this.#prefix}`);
    this.#options.logger.debug({ prefix: this.#prefix, err: error }, 'etcd watch lost');
    this.#handlers.onLost(error);
  }

  /** Whether the revision the watch would resume from is compacted (false when unknown). */
  async #positionCompacted(): Promise<boolean> {
    try {
      await this.#options.client.kv.range({
        ...prefixRange(this.#prefix),
        revision: String(this.#last + 1n),
        limit: 1,
        keys_only: true,
      });
      return false;
    } catch (err) {
      return isCompactedError(err);
    }
  }
}

function lastRevisionOf(changes: readonly KvChange[]): Revision {
  const change = changes[changes.length - 1]!;
  return change.type === 'put' ? change.record.modRevision : change.modRevision;
}
