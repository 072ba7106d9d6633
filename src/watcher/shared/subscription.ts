/**
 * One watched resource read from a shared repository: the subscriber's reflector.
 *
 * The story: list the resource's prefix and hand the sink the complete set (replace, then
 * synced the first time); watch from the listing's revision and deliver each change as
 * add, update or delete; when the watch is lost (its revision was compacted, the engine
 * canceled it), list again and replace, which the sink reconciles so unchanged objects
 * cost nothing; on errors wait with jittered exponential backoff and start over.
 *
 * What was delivered is remembered per key (identity only, not bodies), to tell an add
 * from an update, to build a delete's object, and to drop an object that stopped
 * matching the resource's selectors. A record that does not decode is reported (naming
 * its key) and skipped; the object last delivered for that key stays.
 */
import type { WatchedResourceConfig } from '../../config/types.ts';
import type { KubeObject } from '../../k8s.ts';
import type { Logger } from '../../log.ts';
import { isKvError, type KvChange, type KvError, type KvRecord, type KvWatch, type Repository, type Revision } from '../../kv/index.ts';
import type { KeyLayout } from '../../kv/layout.ts';
import { WatchError, type ResourceWatchStatus, type WatchProblem, type WatchSink } from '../index.ts';
import { Backoff, type BackoffSettings } from '../../time/backoff.ts';
import type { Clock } from '../../time/clock.ts';
import { Timers } from '../../time/timers.ts';
import { copyWatchStats, emptyWatchStats, type WatchStats } from '../stats.ts';
import { decodeRecord, type Decoded, type RecordExpectation } from './record-decoder.ts';
import type { ResourceFilter } from './resource-filter.ts';

/** What failures are counted under (WatchStats.errors): a KvError's code, `decode` for a bad value, `other`; all start at 0. */
const FAILURE_KINDS = Object.freeze(['Unavailable', 'Compacted', 'Invalid', 'decode', 'other']);

/** What a subscription needs; everything with a side effect is injected. */
export interface SubscriptionOptions {
  readonly resource: WatchedResourceConfig;
  readonly sink: WatchSink;
  readonly repository: Repository;
  readonly layout: KeyLayout;
  /** The key prefix read and watched. */
  readonly prefix: string;
  readonly filter: ResourceFilter;
  /** Follow changes after the listing (`run`), or deliver the listing only (`render`). */
  readonly watch: boolean;
  readonly clock: Clock;
  readonly random: () => number;
  readonly backoff: BackoffSettings;
  readonly logger: Logger;
  readonly onError: (err: WatchError) => void;
  /** limits.max_object_size: longer values are refused before they are parsed. */
  readonly maxObjectBytes: number;
}

/** Identity of a delivered object: enough to build its delete. */
interface Delivered {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: Readonly<Pick<KubeObject['metadata'], 'name' | 'namespace' | 'uid' | 'resourceVersion'>> & { cluster: string };
}

/** A watch that ended: lost (with why) or closed because the subscription stopped. */
type WatchEnd = { lost: KvError } | { stopped: true };

/** The list-and-watch loop of one resource; see the module comment. */
export class Subscription {
  readonly #options: SubscriptionOptions;
  readonly #log: Logger;
  readonly #timers: Timers;
  readonly #backoff: Backoff;
  #delivered = new Map<string, Delivered>();
  #synced = false;
  #stopped = false;
  #problem: WatchProblem | undefined;
  #watch: KvWatch | undefined;
  #endWatch: ((end: WatchEnd) => void) | undefined;
  #running: Promise<void> = Promise.resolve();
  /** The counters every watching source keeps, so /metrics reads them alike. */
  readonly #stats: WatchStats;
  readonly #expected: RecordExpectation;

  constructor(options: SubscriptionOptions) {
    this.#options = options;
    this.#expected = { resource: options.resource, maxObjectBytes: options.maxObjectBytes };
    this.#stats = emptyWatchStats(options.resource.name, false, FAILURE_KINDS);
    this.#log = options.logger.child({ resource: options.resource.name });
    this.#timers = new Timers(options.clock);
    this.#backoff = new Backoff(options.backoff, options.clock, options.random);
  }

  /** The watched resource's name. */
  get name(): string {
    return this.#options.resource.name;
  }

  /** Starts the loop in the background. */
  start(): void {
    this.#running = this.#run();
  }

  /** Stops the loop: closes the watch, cancels timers; the sink hears nothing afterwards. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timers.cancelAll();
    this.#endWatch?.({ stopped: true });
    await this.#running;
  }

  /**
   * A snapshot of the counters: events by type, lists and relists (after a lost watch),
   * watch restarts (re-watches and reconnects), errors by KvError code (or "decode"), the
   * store revision delivered up to (as resourceVersion), objects delivered, synced, watching.
   */
  stats(): WatchStats {
    return { ...copyWatchStats(this.#stats), objects: this.#delivered.size };
  }

  status(): ResourceWatchStatus {
    return { resource: this.name, synced: this.#synced, ...(this.#problem ? { lastProblem: { ...this.#problem } } : {}) };
  }

  /** The current object at `key` in the repository, decoded, or undefined (also when it does not match). */
  async read(key: string): Promise<KubeObject | undefined> {
    const record = await this.#options.repository.get(key);
    if (!record) return undefined;
    const decoded = decodeRecord(record, this.#options.layout, this.#expected);
    if (!decoded.ok) throw new WatchError(`fetch ${this.name}: ${decoded.problem}`, { resource: this.name });
    return this.#options.filter(decoded.obj, decoded.address) ? decoded.obj : undefined;
  }

  /** The keys of delivered objects named `namespace`/`name`, in any cluster. */
  keysOf(namespace: string, name: string): string[] {
    const keys: string[] = [];
    for (const [key, delivered] of this.#delivered) {
      if (delivered.metadata.name === name && (delivered.metadata.namespace ?? '') === namespace) keys.push(key);
    }
    return keys;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        const revision = await this.#list();
        if (!this.#options.watch || this.#stopped) return;
        const end = await this.#watchFrom(revision);
        if ('stopped' in end) return;
        if (!this.#shouldRelistAtOnce(end.lost)) await this.#wait(end.lost);
      } catch (err) {
        if (this.#stopped) return;
        this.#failure(isKvError(err) ? err.code : 'other');
        await this.#wait(err);
      }
    }
  }

  /** Lists the prefix and replaces the sink's contents; resolves to the listing's revision. */
  async #list(): Promise<Revision> {
    const listing = await this.#options.repository.list(this.#options.prefix);
    if (this.#stopped) return listing.revision;
    this.#recovered();
    const delivered = new Map<string, Delivered>();
    const objects: KubeObject[] = [];
    for (const record of listing.records) {
      const decoded = this.#decode(record);
      if (!decoded?.ok || !this.#options.filter(decoded.obj, decoded.address)) continue;
      objects.push(decoded.obj);
      delivered.set(record.key, deliveredOf(decoded.obj));
    }
    this.#delivered = delivered;
    this.#counted(listing.revision, undefined);
    this.#options.sink.replace(objects);
    if (!this.#synced) {
      this.#synced = true;
      this.#options.sink.synced();
    }
    this.#log.debug({ objects: objects.length, revision: String(listing.revision) }, 'listed');
    return listing.revision;
  }

  /** Watches from `revision` until the watch is lost or the subscription stops. */
  async #watchFrom(revision: Revision): Promise<WatchEnd> {
    const ended = new Promise<WatchEnd>((resolve) => (this.#endWatch = resolve));
    if (this.#stats.lists > 1) this.#stats.watchRestarts++;
    this.#watch = await this.#options.repository.watch(this.#options.prefix, revision, {
      onChanges: (changes) => this.#apply(changes),
      onLost: (error) => this.#endWatch?.({ lost: error }),
      onDisconnected: (error) => {
        this.#stats.watching = false;
        this.#stats.watchRestarts++;
        this.#failure(error.code);
        this.#report(`watch interrupted, resuming: ${error.message}`, error, false);
      },
      onConnected: () => {
        this.#stats.watching = true;
        this.#recovered();
      },
    });
    this.#stats.watching = true;
    if (this.#stopped) this.#endWatch?.({ stopped: true });
    const end = await ended;
    this.#stats.watching = false;
    if ('lost' in end) this.#failure(end.lost.code);
    this.#endWatch = undefined;
    const watch = this.#watch;
    this.#watch = undefined;
    await watch.close();
    return end;
  }

  #apply(changes: readonly KvChange[]): void {
    if (this.#stopped) return;
    for (const change of changes) {
      if (change.type === 'put') this.#put(change.record);
      else this.#remove(change.key);
    }
    const last = changes.at(-1);
    if (last) this.#counted(last.type === 'put' ? last.record.modRevision : last.modRevision, this.#options.clock.now());
  }

  /** A list (lastEventAt undefined) or a batch of changes delivered up to `revision`. */
  #counted(revision: Revision, lastEventAt: number | undefined): void {
    this.#stats.resourceVersion = String(revision);
    if (lastEventAt !== undefined) {
      this.#stats.lastEventAt = lastEventAt;
      return;
    }
    this.#stats.lists++;
    if (this.#stats.lists > 1) this.#stats.relists++;
    this.#stats.synced = true;
  }

  #failure(kind: string): void {
    this.#stats.errors[kind] = (this.#stats.errors[kind] ?? 0) + 1;
  }

  #put(record: KvRecord): void {
    const decoded = this.#decode(record);
    if (!decoded?.ok) return; // a foreign key, or a bad value: the last good object stays
    if (!this.#options.filter(decoded.obj, decoded.address)) return this.#remove(record.key);
    const known = this.#delivered.has(record.key);
    this.#delivered.set(record.key, deliveredOf(decoded.obj));
    this.#stats.events[known ? 'MODIFIED' : 'ADDED']++;
    if (known) this.#options.sink.update(decoded.obj);
    else this.#options.sink.add(decoded.obj);
  }

  #remove(key: string): void {
    const delivered = this.#delivered.get(key);
    if (!delivered) return;
    this.#delivered.delete(key);
    this.#stats.events.DELETED++;
    this.#options.sink.delete(objectOf(delivered));
  }

  /** The decoded record; undefined for a key outside the layout; a bad value is reported. */
  #decode(record: KvRecord): Decoded | undefined {
    if (!this.#options.layout.parse(record.key)) return undefined;
    const decoded = decodeRecord(record, this.#options.layout, this.#expected);
    if (!decoded.ok) {
      this.#failure('decode');
      this.#report(decoded.problem, undefined, true);
    }
    return decoded;
  }

  /** A compaction is routine: list again at once. Anything else waits for the backoff. */
  #shouldRelistAtOnce(error: KvError): boolean {
    if (!isKvError(error, 'Compacted')) return false;
    this.#log.info({ err: error }, 'watch revision compacted; listing again');
    return true;
  }

  async #wait(err: unknown): Promise<void> {
    const delayMs = this.#backoff.next();
    const message = err instanceof Error ? err.message : String(err);
    this.#report(`${message}; retrying in ${delayMs} ms`, err, false);
    await this.#timers.sleep(delayMs);
  }

  /** Records a problem in the status and the log; `toCaller` also hands it to onError. */
  #report(message: string, cause: unknown, toCaller: boolean): void {
    if (this.#stopped) return;
    const repeated = this.#problem?.message === message;
    this.#problem = { message, at: new Date(this.#options.clock.now()) };
    if (!repeated) this.#log.warn({ err: cause }, message);
    if (toCaller) this.#options.onError(new WatchError(`watched resource ${this.name}: ${message}`, { resource: this.name, cause }));
  }

  #recovered(): void {
    if (!this.#problem) return;
    this.#log.info({ after: this.#problem.message }, 'recovered');
    this.#problem = undefined;
  }
}

/** What is kept of a delivered object: its identity and version, to build its delete later. */
function deliveredOf(obj: KubeObject): Delivered {
  const { name, namespace, uid, resourceVersion } = obj.metadata;
  return {
    ...(obj.apiVersion === undefined ? {} : { apiVersion: obj.apiVersion }),
    ...(obj.kind === undefined ? {} : { kind: obj.kind }),
    metadata: {
      name,
      ...(namespace === undefined ? {} : { namespace }),
      ...(uid === undefined ? {} : { uid }),
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
      cluster: obj.metadata.cluster as string,
    },
  };
}

/** A fresh object (the sink owns it) for the delete of a delivered object. */
function objectOf(delivered: Delivered): KubeObject {
  return { ...delivered, metadata: { ...delivered.metadata } };
}
