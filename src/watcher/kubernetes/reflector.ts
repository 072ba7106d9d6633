/**
 * The Reflector: keeps one WatchSink equal to one watched resource on the API server,
 * client-go's way. The story: resolve the resource (discovery), list it (paginated, or a
 * streaming list) and replace the sink's contents, then watch from the list's
 * resourceVersion, resuming after every clean close from the last RV seen (bookmarks
 * included). A 410 Expired, a malformed line or a failing sink means relist; network
 * errors, 429 and 5xx mean back off and resume; 401/403/404 mean report and retry slowly.
 * It never gives up while it runs.
 */
import { objectId, type KubeObject } from '../../k8s.ts';
import type { Logger } from '../../log.ts';
import type { WatchedResourceConfig } from '../../config/types.ts';
import type { ResourceWatchStatus, WatchProblem, WatchSink } from '../index.ts';
import { WatchError } from '../index.ts';
import { Backoff, jittered } from '../../time/backoff.ts';
import { Call } from './call.ts';
import { readBody, readJsonOrUndefined, type ApiClient } from '../../kube/index.ts';
import type { Clock } from '../../time/clock.ts';
import { Timers } from '../../time/timers.ts';
import { describeTarget, resourcePath, type Discovery, type ResolvedResource } from './discovery.ts';
import {
  ApiStatusError, InvalidResponseError, SinkError, StreamingListRejectedError, WatchClosedEarlyError,
  describeError, errorLabel, KNOWN_ERROR_LABELS, isExpired, isStreamingRejection, needsHumanAttention, needsRelist,
  statusError, streamError, type RequestContext, type Verb,
} from './errors.ts';
import { InvalidWatchLineError, type ApiStatus, type WatchEvent } from './lines.ts';
import { addSelectors, listAll, withTypeMeta } from './list.ts';
import { copyWatchStats, emptyWatchStats, type WatchStats } from '../stats.ts';
import { InitialEvents, readEvents } from './stream.ts';
import type { Tuning } from './tuning.ts';

/** Everything a Reflector needs; side effects come in through these. */
export interface ReflectorOptions {
  resource: WatchedResourceConfig;
  sink: WatchSink;
  client: ApiClient;
  /** Shared by the reflectors of one source (caches discovery documents). */
  discovery: Discovery;
  logger: Logger;
  clock: Clock;
  /** Uniform in [0, 1): jitter for backoff and watch timeouts. */
  random: () => number;
  tuning: Tuning;
  /** Try a streaming list (sendInitialEvents) before falling back to LIST. */
  streamingList: boolean;
  /**
   * Ask for metadata only (PartialObjectMetadata, via the Accept header): objects carry
   * apiVersion, kind and metadata, nothing else. For stores that fetch bodies on demand.
   */
  metadataOnly?: boolean;
  /** The configured name of the cluster watched, when the source watches several (logs, status, stats). */
  cluster?: string;
  /**
   * Called on every object read (list items and watch events, not bookmarks) before the
   * reflector uses it; it may set metadata.cluster, which then counts in the object's
   * identity (the kcp source sets it from the kcp.io/cluster annotation).
   */
  prepare?: (obj: KubeObject) => void;
}

/** Accept headers: full objects, or metadata only with full objects as the fallback. */
const ACCEPT = Object.freeze({
  json: 'application/json',
  metadataList: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json',
  metadata: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json',
});

/**
 * Mirrors one watched resource into its sink. `start` runs the loop in the background;
 * `stop` ends it and resolves once no request, timer or callback is left. Sink calls are
 * synchronous and in server order; `synced()` is called once per start, after the first
 * complete list has been delivered with `replace`.
 */
export class Reflector {
  readonly #options: ReflectorOptions;
  readonly #log: Logger;
  readonly #timers: Timers;
  readonly #backoff: Backoff;
  readonly #ids = new Set<string>();
  #stats: WatchStats;
  #target: ResolvedResource | undefined;
  /** The resourceVersion the next watch resumes from. */
  #rv = '';
  /** The resourceVersion of the next LIST: "0" (cache) at first, "" (consistent) after a 410. */
  #listRv = '0';
  #needsList = true;
  #streaming: boolean;
  #syncedThisStart = false;
  /** Watch metadata only (PartialObjectMetadata); see setMetadataOnly. */
  #metadataOnly: boolean;
  /** A list was asked for (requestList): the request in flight is cut and the loop lists. */
  #listRequested = false;
  #problem: WatchProblem | undefined;
  #call: Call | undefined;
  #watchesOpened = 0;
  #watchOpenedAt = 0;
  #stopping = true;
  #loop: Promise<void> | undefined;

  constructor(options: ReflectorOptions) {
    this.#options = options;
    const cluster = options.cluster;
    this.#log = options.logger.child({ resource: options.resource.name, ...(cluster === undefined ? {} : { cluster }) });
    this.#timers = new Timers(options.clock);
    const t = options.tuning;
    this.#backoff = new Backoff(
      { initialMs: t.backoffInitialMs, capMs: t.backoffCapMs, resetAfterMs: t.backoffResetAfterMs },
      options.clock,
      options.random,
    );
    this.#streaming = options.streamingList;
    this.#metadataOnly = options.metadataOnly ?? false;
    this.#stats = emptyWatchStats(options.resource.name, this.#streaming, KNOWN_ERROR_LABELS);
    if (cluster !== undefined) this.#stats.cluster = cluster;
  }

  /** The configured name of the cluster watched (undefined for a single cluster). */
  get cluster(): string | undefined {
    return this.#options.cluster;
  }

  /** The watched resource's name (its watched_resources key). */
  get name(): string {
    return this.#options.resource.name;
  }

  /** Starts the list-and-watch loop in the background; a no-op when already running. */
  start(): void {
    if (!this.#stopping) return;
    this.#stopping = false;
    this.#syncedThisStart = false;
    this.#needsList = true;
    this.#loop = this.#run();
  }

  /** Stops the loop: aborts the request in flight, clears every timer, awaits the loop's end. */
  async stop(): Promise<void> {
    if (this.#stopping) return this.#loop;
    this.#stopping = true;
    this.#call?.abort();
    this.#timers.cancelAll();
    await this.#loop;
    this.#timers.cancelAll();
    this.#stats.watching = false;
    this.#log.debug('stopped');
  }

  /** True while objects are watched as metadata only. */
  get metadataOnly(): boolean {
    return this.#metadataOnly;
  }

  /**
   * Asks for a complete list to be delivered again soon (a sink joined a running watch):
   * the request in flight is cut, and the loop lists from the last resourceVersion seen
   * (never older than what was delivered) and watches on from there. A list already due
   * serves; nothing is counted as an error.
   */
  requestList(): void {
    if (!this.#stopping && !this.#needsList) this.#listAgain();
  }

  /**
   * Watches metadata only (PartialObjectMetadata) or full objects from the next request
   * on. A change cuts the request in flight and lists again, so every object delivered
   * after it has the new shape.
   */
  setMetadataOnly(metadataOnly: boolean): void {
    if (this.#metadataOnly === metadataOnly) return;
    this.#metadataOnly = metadataOnly;
    if (!this.#stopping) this.#listAgain();
  }

  /** Cuts the request in flight; the loop lists again, from the last resourceVersion delivered. */
  #listAgain(): void {
    this.#listRequested = true;
    this.#needsList = true;
    if (this.#rv !== '') this.#listRv = this.#rv;
    this.#call?.abort();
  }

  /** The state reported to the controller: synced since start, and the current problem. */
  status(): ResourceWatchStatus {
    const status: ResourceWatchStatus = { resource: this.name, synced: this.#syncedThisStart };
    if (this.#problem) status.lastProblem = { ...this.#problem };
    return status;
  }

  /** A snapshot of the counters. */
  stats(): WatchStats {
    return copyWatchStats(this.#stats);
  }

  // ── The story ──────────────────────────────────────────────────────────────────────

  async #run(): Promise<void> {
    while (!this.#stopping) {
      try {
        await this.#listAndWatch();
      } catch (err) {
        // A request cut for requestList() or setMetadataOnly() is not a failure.
        if (this.#listRequested) this.#listRequested = false;
        else if (!this.#stopping) await this.#recover(err);
      }
    }
  }

  async #listAndWatch(): Promise<void> {
    this.#listRequested = false;
    const target = await this.#resolve();
    if (this.#needsList && !this.#streaming) await this.#list(target);
    while (!this.#stopping) await this.#watch(target);
  }

  async #resolve(): Promise<ResolvedResource> {
    if (this.#target) return this.#target;
    const fetch = (path: string): Promise<unknown> => this.#getJson('get', path, new URLSearchParams());
    this.#target = await this.#options.discovery.resolve(this.#options.resource, fetch);
    this.#warnIfNamespaceIgnored(this.#target);
    this.#log.debug({ target: this.#target }, 'resolved');
    return this.#target;
  }

  async #list(target: ResolvedResource): Promise<void> {
    const { pageSize } = this.#options.tuning;
    const { labelSelector, fieldSelector } = this.#options.resource;
    const params = { resourceVersion: this.#listRv, pageSize, labelSelector, fieldSelector };
    const path = resourcePath(target, this.#options.resource.namespace);
    const result = await listAll((query) => this.#getJson('list', path, query), params, target);
    const items = this.#metadataOnly ? result.items.map((item) => this.#typed(item, target)) : result.items;
    const prepare = this.#options.prepare;
    if (prepare !== undefined) for (const item of items) prepare(item);
    this.#replace(items, result.resourceVersion);
  }

  /** One watch request, read to its end. Resolves on a clean close that carried events. */
  async #watch(target: ResolvedResource): Promise<void> {
    const initial = this.#needsList ? new InitialEvents() : undefined;
    const { call, response } = await this.#openWatch(target, initial !== undefined);
    this.#watchOpened();
    let events: number;
    try {
      events = await readEvents(response.body, (event) => this.#handle(event, target, initial), () => call.touch());
    } catch (err) {
      throw call.explain(err);
    } finally {
      call.finish();
      response.cancel();
      this.#stats.watching = false;
    }
    this.#checkCleanClose(events, initial);
  }

  async #recover(err: unknown): Promise<void> {
    this.#stats.errors[errorLabel(err)] = (this.#stats.errors[errorLabel(err)] ?? 0) + 1;
    if (needsRelist(err)) {
      this.#needsList = true;
      this.#listRv = '';
    }
    if (shouldRediscover(err)) this.#target = undefined;
    this.#report(err);
    await this.#timers.sleep(this.#nextDelay(err));
  }

  // ── Decisions ──────────────────────────────────────────────────────────────────────

  /** How long to wait after `err` before trying again. */
  #nextDelay(err: unknown): number {
    const t = this.#options.tuning;
    if (err instanceof StreamingListRejectedError) return 0;
    if (needsHumanAttention(err)) return jittered(t.problemRetryMs, t.problemRetryJitter, this.#options.random);
    const delay = this.#backoff.next();
    const retryAfter = err instanceof ApiStatusError ? err.retryAfterMs : undefined;
    return retryAfter === undefined ? delay : Math.max(delay, Math.min(retryAfter, t.maxRetryAfterMs));
  }

  /**
   * A clean close (the server's timeoutSeconds) means "watch again at once", unless it came
   * too soon or empty (a server or proxy closing watches in a loop: back off), or before a
   * streaming list's end bookmark (the list is incomplete: try again).
   */
  #checkCleanClose(events: number, initial: InitialEvents | undefined): void {
    if (this.#stopping) return;
    const early = (reason: string): WatchClosedEarlyError => new WatchClosedEarlyError(reason, { resource: this.name });
    if (initial && !initial.done) throw early('streaming list ended before its initial-events-end bookmark');
    if (events === 0) throw early('watch closed by the server without a single event');
    const lastedMs = this.#options.clock.now() - this.#watchOpenedAt;
    if (lastedMs < this.#options.tuning.minWatchMs) throw early(`watch closed by the server after ${lastedMs} ms`);
  }

  /** A random watch duration in [min, max] seconds, as client-go does. */
  #watchTimeoutSeconds(): number {
    const { watchTimeoutMinSeconds: min, watchTimeoutMaxSeconds: max } = this.#options.tuning;
    return Math.floor(min + this.#options.random() * (max - min + 1));
  }

  // ── Events ─────────────────────────────────────────────────────────────────────────

  #handle(event: WatchEvent, target: ResolvedResource, initial: InitialEvents | undefined): void {
    if (this.#stopping || this.#listRequested) return;
    this.#stats.events[event.type]++;
    this.#stats.lastEventAt = this.#options.clock.now();
    if (event.type === 'ERROR') throw streamError(event.object as ApiStatus, this.#context('watch'));
    const obj = event.type === 'BOOKMARK' ? event.object : this.#typed(event.object, target);
    if (event.type !== 'BOOKMARK') this.#options.prepare?.(obj);
    const rv = obj.metadata.resourceVersion ?? this.#rv;
    if (initial && !initial.done) {
      if (initial.take({ type: event.type, object: obj })) this.#replace(initial.drain(), rv);
      return;
    }
    if (event.type !== 'BOOKMARK') this.#deliver(event.type, obj);
    this.#setRv(rv);
  }

  /** The object with the resource's apiVersion and kind (metadata-only ones come as PartialObjectMetadata). */
  #typed(obj: KubeObject, target: ResolvedResource): KubeObject {
    if (!this.#metadataOnly) return withTypeMeta(obj, target.apiVersion, target.kind);
    return { ...obj, apiVersion: target.apiVersion, kind: target.kind };
  }

  #deliver(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): void {
    const id = objectId(obj);
    try {
      if (type === 'ADDED') this.#options.sink.add(obj);
      else if (type === 'MODIFIED') this.#options.sink.update(obj);
      else this.#options.sink.delete(obj);
    } catch (err) {
      throw new SinkError(`sink failed on ${type} ${id}: ${describeError(err)}`, { resource: this.name, cause: err });
    }
    if (type === 'DELETED') this.#ids.delete(id);
    else this.#ids.add(id);
    this.#stats.objects = this.#ids.size;
  }

  /** Makes the sink's contents exactly `items` (a complete list at `rv`) and marks sync. */
  #replace(items: KubeObject[], rv: string): void {
    try {
      this.#options.sink.replace(items);
    } catch (err) {
      throw new SinkError(`sink failed on replace: ${describeError(err)}`, { resource: this.name, cause: err });
    }
    this.#ids.clear();
    for (const item of items) this.#ids.add(objectId(item));
    this.#stats.objects = this.#ids.size;
    this.#stats.lists++;
    if (this.#stats.lists > 1) this.#stats.relists++;
    this.#needsList = false;
    this.#setRv(rv);
    this.#log.debug({ objects: items.length, resourceVersion: rv }, 'listed');
    this.#recovered();
    if (!this.#syncedThisStart) this.#markSynced();
  }

  #markSynced(): void {
    this.#syncedThisStart = true;
    this.#stats.synced = true;
    try {
      this.#options.sink.synced();
    } catch (err) {
      // The contents are delivered; a failing synced() is the sink's bug, not a reason to relist.
      this.#log.error({ err }, 'sink failed on synced()');
    }
    this.#log.info({ objects: this.#ids.size }, 'synced');
  }

  #setRv(rv: string): void {
    this.#rv = rv;
    this.#stats.resourceVersion = rv;
  }

  // ── Requests ───────────────────────────────────────────────────────────────────────

  async #openWatch(target: ResolvedResource, streamingList: boolean): Promise<{ call: Call; response: OpenResponse }> {
    const query = new URLSearchParams({ watch: 'true', allowWatchBookmarks: 'true' });
    if (streamingList) {
      query.set('sendInitialEvents', 'true');
      query.set('resourceVersionMatch', 'NotOlderThan');
    } else {
      query.set('resourceVersion', this.#rv);
    }
    query.set('timeoutSeconds', String(this.#watchTimeoutSeconds()));
    addSelectors(query, this.#options.resource);
    const path = resourcePath(target, this.#options.resource.namespace);
    try {
      return await this.#open('watch', path, query, this.#metadataOnly ? ACCEPT.metadata : ACCEPT.json);
    } catch (err) {
      if (streamingList && err instanceof ApiStatusError && isStreamingRejection(err.status ?? 0)) this.#fallBackToList(err);
      throw err;
    }
  }

  #fallBackToList(err: ApiStatusError): never {
    this.#streaming = false;
    this.#stats.streamingList = false;
    throw new StreamingListRejectedError(
      `the API server rejected a streaming list (${err.status}); using list+watch for this resource from now on`,
      { resource: this.name, status: err.status, cause: err },
    );
  }

  /** GETs `path` and parses the body as JSON; a body that is not JSON is an InvalidResponseError. */
  async #getJson(verb: Verb, path: string, query: URLSearchParams): Promise<unknown> {
    const accept = verb === 'list' && this.#metadataOnly ? ACCEPT.metadataList : ACCEPT.json;
    const { call, response } = await this.#open(verb, path, query, accept);
    try {
      const text = (await readBody(response.body, () => call.touch())).toString('utf8');
      return parseJson(text, `${verb} ${path}`);
    } catch (err) {
      throw call.explain(err);
    } finally {
      call.finish();
    }
  }

  /** Sends one request under a fresh Call; non-2xx answers become ApiStatusErrors. */
  async #open(verb: Verb, path: string, query: URLSearchParams, accept: string): Promise<{ call: Call; response: OpenResponse }> {
    if (this.#stopping) throw new WatchError('stopping', { resource: this.name });
    const call = new Call(this.#timers, this.#options.clock, this.#options.tuning.idleTimeoutMs, `${verb} ${path}`);
    this.#call = call;
    try {
      const response = await this.#options.client.request(path, query, { signal: call.signal, accept });
      call.touch();
      if (response.status >= 200 && response.status < 300) return { call, response };
      const body = (await readJsonOrUndefined(response, () => call.touch())) as ApiStatus | undefined;
      throw statusError(response.status, body, response.headers['retry-after'], this.#context(verb, path));
    } catch (err) {
      call.finish();
      throw call.explain(err);
    }
  }

  #watchOpened(): void {
    this.#watchesOpened++;
    this.#watchOpenedAt = this.#options.clock.now();
    this.#stats.watching = true;
    this.#stats.watchRestarts = Math.max(0, this.#watchesOpened - 1);
    this.#recovered();
  }

  #context(verb: Verb, path?: string): RequestContext {
    const what = this.#target
      ? describeTarget(this.#target, this.#options.resource.namespace)
      : `API discovery of ${this.#options.resource.apiVersion}${path ? ` (${path})` : ''}`;
    return { verb, resource: this.name, what };
  }

  // ── Reporting ──────────────────────────────────────────────────────────────────────

  /** Records and logs a failure: 410s and fallbacks are routine (info); the rest is a problem. */
  #report(err: unknown): void {
    const message = describeError(err);
    if (isExpired(err) || err instanceof StreamingListRejectedError) {
      this.#log.info({ resourceVersion: this.#rv }, `${message}; relisting`);
      return;
    }
    const repeated = this.#problem?.message === message;
    const status = err instanceof WatchError ? err.status : undefined;
    this.#problem = { message, at: new Date(this.#options.clock.now()), ...(status !== undefined ? { status } : {}) };
    const line = err instanceof InvalidWatchLineError ? { line: this.#loggable(err.excerpt) } : {};
    const fields = { attempt: this.#backoff.attempt, ...line };
    if (repeated) this.#log.debug(fields, message);
    else this.#log.warn({ ...fields, err }, needsRelist(err) ? `${message}; relisting` : message);
  }

  /** A watch line as it may be logged: never the content of a Secret. */
  #loggable(excerpt: string): string {
    const kind = this.#target?.kind ?? this.#options.resource.kind;
    return kind === 'Secret' ? `[${excerpt.length} characters of a Secret watch stream, not logged]` : excerpt;
  }

  #recovered(): void {
    if (!this.#problem) return;
    this.#log.info({ after: this.#problem.message }, 'recovered');
    this.#problem = undefined;
  }

  #warnIfNamespaceIgnored(target: ResolvedResource): void {
    if (!target.namespaced && this.#options.resource.namespace !== '') {
      this.#log.warn(`namespace "${this.#options.resource.namespace}" ignored: ${target.resource} is cluster-scoped`);
    }
  }
}

type OpenResponse = Awaited<ReturnType<ApiClient['request']>>;

/** A 404 may mean the CRD went away or changed version: resolve the resource again. */
function shouldRediscover(err: unknown): boolean {
  return err instanceof ApiStatusError && err.status === 404;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // V8's message quotes the input, which may be Secret data: describe it ourselves.
    throw new InvalidResponseError(`${what} answered invalid JSON (${text.length} characters)`);
  }
}
