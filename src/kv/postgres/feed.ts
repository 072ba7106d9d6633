/**
 * The wake-up signal of PostgreSQL watches: one LISTEN connection per repository on the
 * schema's channel, which every commit NOTIFYs with its revision. A notification only
 * tells watches to look: NOTIFY is lost while nobody listens (a dropped connection, a
 * server restart), so watches always read the change log itself, and they look anyway
 * every `pollIntervalMs` and after every reconnect of this connection.
 *
 * States: idle → connecting → listening; when the connection closes, every watch hears
 * `feedLost` and LISTEN is tried again with backoff (retrying → connecting → listening,
 * which wakes every watch to catch up from the log).
 */
import postgres from 'postgres';
import type { Logger } from '../../log.ts';
import { Backoff, type BackoffSettings } from '../../time/backoff.ts';
import type { Clock } from '../../time/clock.ts';
import { Timers } from '../../time/timers.ts';
import { KvError } from '../types.ts';
import { toKvError } from './errors.ts';
import type { ClientOptions, PostgresClient } from './options.ts';

/** What the feed tells a watch. */
export interface FeedSubscriber {
  /** Something may have changed (a notification, a reconnect, the periodic look). */
  wake(): void;
  /** The LISTEN connection dropped; wake() follows once it is back. */
  feedLost(error: KvError): void;
}

/** What a ChangeFeed needs. */
export interface ChangeFeedOptions {
  readonly url: string;
  readonly client: ClientOptions;
  readonly channel: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly pollIntervalMs: number;
  readonly backoff: BackoffSettings;
}

type FeedState = 'idle' | 'connecting' | 'listening' | 'retrying' | 'closed';

/** The LISTEN side of a PostgresRepository; see the module comment. */
export class ChangeFeed {
  readonly #options: ChangeFeedOptions;
  readonly #subscribers = new Set<FeedSubscriber>();
  readonly #timers: Timers;
  readonly #backoff: Backoff;
  #sql: PostgresClient | undefined;
  #state: FeedState = 'idle';
  #attempt: Promise<void> | undefined;
  #cancelRetry: (() => void) | undefined;
  #cancelPoll: (() => void) | undefined;

  constructor(options: ChangeFeedOptions) {
    this.#options = options;
    this.#timers = new Timers(options.clock);
    this.#backoff = new Backoff(options.backoff, options.clock);
  }

  /** Adds a watch once LISTEN is established; rejects with Unavailable when it cannot be. */
  async add(subscriber: FeedSubscriber): Promise<void> {
    if (this.#state === 'closed') throw new KvError('Unavailable', 'PostgreSQL watch: the repository is closed');
    if (this.#state !== 'listening') await this.#listenNow();
    this.#subscribers.add(subscriber);
  }

  remove(subscriber: FeedSubscriber): void {
    this.#subscribers.delete(subscriber);
  }

  /** Stops listening and closes the connection. */
  async close(): Promise<void> {
    this.#state = 'closed';
    this.#subscribers.clear();
    this.#timers.cancelAll();
    await this.#sql?.end({ timeout: 0 }).catch(() => undefined);
  }

  /** LISTEN now (joining an attempt in progress); a new watch does not wait for a retry timer. */
  #listenNow(): Promise<void> {
    this.#cancelRetry?.();
    this.#attempt ??= this.#listen().finally(() => (this.#attempt = undefined));
    return this.#attempt;
  }

  async #listen(): Promise<void> {
    this.#setState('connecting');
    try {
      await this.#connection().unsafe(`LISTEN "${this.#options.channel.replaceAll('"', '""')}"`);
    } catch (err) {
      if (this.#state === 'closed') throw new KvError('Unavailable', 'PostgreSQL watch: the repository is closed');
      this.#state = 'retrying';
      if (this.#subscribers.size > 0) this.#retryLater();
      throw toKvError(err, 'LISTEN');
    }
    if (this.#state === 'closed') return;
    this.#state = 'listening';
    this.#backoff.reset();
    this.#schedulePoll();
    this.#wakeAll();
  }

  /** A setter, so that checks after an await are not narrowed away by the compiler (close() may run meanwhile). */
  #setState(state: FeedState): void {
    this.#state = state;
  }

  #connection(): PostgresClient {
    // onnotify is the client's own LISTEN hook (it is not in its published types).
    const options = {
      ...this.#options.client,
      max: 1,
      max_lifetime: null,
      onnotify: () => this.#wakeAll(),
      onclose: () => this.#closed(),
    } as ClientOptions;
    const sql = this.#sql ?? postgres(this.#options.url, options);
    this.#sql = sql;
    return sql;
  }

  /** The LISTEN connection closed: tell the watches, and listen again after a backoff. */
  #closed(): void {
    if (this.#state !== 'listening') return;
    this.#state = 'retrying';
    this.#cancelPoll?.();
    const error = new KvError('Unavailable', 'PostgreSQL: the LISTEN connection closed');
    this.#options.logger.debug({ channel: this.#options.channel }, 'LISTEN connection closed; listening again');
    for (const subscriber of this.#subscribers) subscriber.feedLost(error);
    this.#retryLater();
  }

  #retryLater(): void {
    this.#cancelRetry?.();
    this.#cancelRetry = this.#timers.after(this.#backoff.next(), () => {
      this.#cancelRetry = undefined;
      void this.#listenNow().catch(() => undefined);
    });
  }

  #schedulePoll(): void {
    this.#cancelPoll?.();
    this.#cancelPoll = this.#timers.after(this.#options.pollIntervalMs, () => {
      this.#cancelPoll = undefined;
      if (this.#state !== 'listening') return;
      this.#wakeAll();
      this.#schedulePoll();
    });
  }

  #wakeAll(): void {
    for (const subscriber of this.#subscribers) subscriber.wake();
  }
}
