/**
 * One watch of a PostgresRepository: reads the change log after its position whenever the
 * feed wakes it (a notification, a reconnect, the periodic look) and hands each
 * transaction's changes to `onChanges` in one call, in revision order, each revision once.
 *
 * - Its position is the head revision of the last read (all of the log up to it was seen),
 *   so it never reads the same part twice and never skips one: writers commit in revision
 *   order (see repository.ts), so a revision once visible has every lower one visible too.
 * - A read that fails (the server is down, the connection dropped) reports onDisconnected
 *   once and is tried again with backoff; the first read that succeeds again reports
 *   onConnected and delivers what was missed, from the log.
 * - When its position has been trimmed from the log (it was away longer than the log is
 *   kept), the watch ends with onLost(Compacted): the owner lists again.
 */
import type { Logger } from '../../log.ts';
import { Backoff, type BackoffSettings } from '../../time/backoff.ts';
import type { Clock } from '../../time/clock.ts';
import { Timers } from '../../time/timers.ts';
import { KvError, type KvChange, type KvWatch, type KvWatchHandlers, type Revision } from '../types.ts';
import type { ChangeFeed, FeedSubscriber } from './feed.ts';

/** One read of the log: the head and compaction revisions of its snapshot, and the changes after the position. */
export interface LogPage {
  readonly head: Revision;
  readonly compacted: Revision;
  /** At most `limit` changes, in revision then operation order, each with its revision. */
  readonly changes: readonly { readonly revision: Revision; readonly change: KvChange }[];
  /** The page was cut at the limit: the last revision may be incomplete, read on from the one before. */
  readonly truncated: boolean;
}

/** What a PostgresWatch needs besides its prefix and handlers. */
export interface PostgresWatchOptions {
  /** Reads the log of the watch's prefix after a revision. */
  readonly read: (after: Revision) => Promise<LogPage>;
  readonly feed: ChangeFeed;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly backoff: BackoffSettings;
}

/** A watch on one prefix; create it with `PostgresWatch.open`. */
export class PostgresWatch implements KvWatch, FeedSubscriber {
  readonly #prefix: string;
  readonly #handlers: KvWatchHandlers;
  readonly #options: PostgresWatchOptions;
  readonly #timers: Timers;
  readonly #backoff: Backoff;
  #position: Revision;
  #connected = true;
  #closed = false;
  #dirty = false;
  #reading = false;
  #retrying = false;

  private constructor(prefix: string, after: Revision, handlers: KvWatchHandlers, options: PostgresWatchOptions) {
    this.#prefix = prefix;
    this.#position = after;
    this.#handlers = handlers;
    this.#options = options;
    this.#timers = new Timers(options.clock);
    this.#backoff = new Backoff(options.backoff, options.clock);
  }

  /**
   * Watches `prefix` from the changes after `after`. Resolves once LISTEN is established
   * and the log was read once (what it held is delivered right after); a position already
   * trimmed resolves too and reports onLost. Rejects with Unavailable when PostgreSQL
   * cannot be reached.
   */
  static async open(prefix: string, after: Revision, handlers: KvWatchHandlers, options: PostgresWatchOptions): Promise<PostgresWatch> {
    const watch = new PostgresWatch(prefix, after, handlers, options);
    await options.feed.add(watch);
    let first: LogPage;
    try {
      first = await options.read(after);
    } catch (err) {
      await watch.close();
      throw err;
    }
    queueMicrotask(() => {
      if (watch.#accept(first)) watch.wake();
    });
    return watch;
  }

  wake(): void {
    if (this.#closed) return;
    this.#dirty = true;
    if (!this.#reading && !this.#retrying) void this.#readLoop();
  }

  feedLost(error: KvError): void {
    this.#disconnected(error);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#timers.cancelAll();
    this.#options.feed.remove(this);
  }

  async #readLoop(): Promise<void> {
    this.#reading = true;
    try {
      while (this.#dirty && !this.#closed) {
        this.#dirty = false;
        let page: LogPage;
        try {
          page = await this.#options.read(this.#position);
        } catch (err) {
          this.#failed(err as KvError);
          return;
        }
        if (this.#accept(page)) this.#dirty = true;
      }
    } finally {
      this.#reading = false;
    }
  }

  /** Delivers a page; true when more is waiting (the page was cut at its limit). */
  #accept(page: LogPage): boolean {
    if (this.#closed) return false;
    if (!this.#connected) {
      this.#connected = true;
      this.#backoff.reset();
      this.#options.logger.debug({ prefix: this.#prefix }, 'PostgreSQL watch resumed');
      this.#handlers.onConnected?.();
    }
    if (this.#position + 1n < page.compacted) {
      this.#lose(new KvError('Compacted', `PostgreSQL watch ${this.#prefix}: revision ${this.#position + 1n} was trimmed from the change log (it starts at ${page.compacted})`));
      return false;
    }
    const complete = page.truncated ? withoutLastRevision(page.changes) : page.changes;
    for (const [revision, changes] of byRevision(complete)) {
      if (this.#closed) return false;
      if (revision <= this.#position) continue;
      this.#position = revision;
      this.#handlers.onChanges(changes);
    }
    if (!page.truncated && page.head > this.#position) this.#position = page.head;
    return page.truncated;
  }

  #failed(error: KvError): void {
    if (this.#closed) return;
    this.#disconnected(error);
    this.#retrying = true;
    this.#timers.after(this.#backoff.next(), () => {
      this.#retrying = false;
      this.wake();
    });
  }

  #disconnected(error: KvError): void {
    if (this.#closed || !this.#connected) return;
    this.#connected = false;
    this.#options.logger.debug({ prefix: this.#prefix, err: error }, 'PostgreSQL watch interrupted, resuming');
    this.#handlers.onDisconnected?.(error);
  }

  #lose(error: KvError): void {
    void this.close();
    this.#options.logger.debug({ prefix: this.#prefix, err: error }, 'PostgreSQL watch lost');
    this.#handlers.onLost(error);
  }
}

/** The changes grouped by revision, in order. */
function byRevision(changes: LogPage['changes']): Map<Revision, KvChange[]> {
  const groups = new Map<Revision, KvChange[]>();
  for (const { revision, change } of changes) {
    const group = groups.get(revision);
    if (group) group.push(change);
    else groups.set(revision, [change]);
  }
  return groups;
}

function withoutLastRevision(changes: LogPage['changes']): LogPage['changes'] {
  const last = changes[changes.length - 1]?.revision;
  return changes.filter((entry) => entry.revision !== last);
}
