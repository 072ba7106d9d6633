/**
 * FilesSource: watched resources fed from a folder of YAML/JSON manifests (or one file)
 * instead of an API server. Template authors use it to render without a cluster;
 * `npm start` runs on it.
 *
 * The story: start() reads every manifest, routes each object to the watched resources it
 * matches, hands each sink its full set (replace) and marks it synced. While watching, file
 * events are debounced into batches; a batch re-reads only the files that changed, rebuilds
 * every resource's contents and delivers the difference as add/update/delete.
 *
 * Guarantees:
 * - Files are taken in sorted path order; when two define the same object (same resource,
 *   cluster/namespace/name; a manifest may set metadata.cluster) the later file wins and a warning names both.
 * - A file that does not parse, or is larger than limits.max_file_size, keeps the objects
 *   last loaded from it (a half-saved file deletes nothing) and is reported with
 *   file:line:col; other files load normally. Objects over the other limits are reported
 *   where they are written and left out.
 * - Objects without uid/resourceVersion get synthetic ones (see synthetic-metadata.ts), so
 *   unchanged objects compare unchanged; unchanged content, wherever it moved, emits nothing.
 * - Every sink gets its own copy of every object.
 * - Objects are taken as written: no namespace is defaulted for namespaced kinds.
 * - Routing (resource-route.ts): exact apiVersion; kind, or the kind pluralized when only
 *   `resource` is configured; the resource's namespace; its label and field selectors.
 * - When the folder itself disappears or cannot be listed, every object is kept and the
 *   problem is reported; a single-file path that is deleted deletes its objects.
 * - fetch() reads one object as last delivered, for on-demand stores (an ObjectSource).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import pLimit from 'p-limit';
import { describeObject, formatIdentity, type KubeObject, type ObjectIdentity } from '../../k8s.ts';
import type { Logger } from '../../log.ts';
import { DEFAULT_LIMITS } from '../../config/index.ts';
import type { FilesSourceConfig, LimitsConfig, WatchedResourceConfig } from '../../config/types.ts';
import { WatchError, type ObjectSource, type ResourceWatchStatus, type WatchProblem, type WatchSink } from '../index.ts';
import { systemClock, type Clock } from '../../time/clock.ts';
import { Debouncer } from '../../time/debouncer.ts';
import { ManifestError, formatPosition } from './manifest-error.ts';
import { FileTooLargeError, listManifestFiles, readManifestText, type ManifestFile, type ManifestListing } from './manifest-files.ts';
import { parseManifest, type ManifestObject, type ParsedManifest } from './manifest-parser.ts';
import { watchManifests, type ManifestWatch } from './manifest-watcher.ts';
import { compileRoute, type ResourceRoute } from './resource-route.ts';
import {
  byNamespaceName,
  collectContents,
  diffContents,
  type Duplicate,
  type PreparedObject,
  type ResourceContents,
} from './resource-contents.ts';
import { canonicalJson, withSyntheticMetadata } from './synthetic-metadata.ts';
import { unmatchedResources } from './unmatched-types.ts';

export const DEFAULTS = Object.freeze({
  /** Files read concurrently, in files: hides read latency, stays far from EMFILE. */
  readConcurrency: 16,
  /**
   * Longest delay before a change is applied while files keep changing, in ms: a generator
   * rewriting the folder continuously still has its changes seen every 2 s.
   */
  maxWaitMs: 2000,
  /**
   * chokidar 3 drops a file's change events for 50 ms after reporting one (no trailing
   * event), so a write in that window is never reported. Two guards use this span, in ms
   * (50 + margin): batches wait at least this long after the last event (debounceMs is
   * raised to it), so they never read a file mid-save and miss the completing write; and
   * the folder's stat signatures are checked once more this long after the last event,
   * which catches a write dropped just after a batch that max-wait forced.
   */
  watcherBlindMs: 75,
});

export interface FilesSourceOptions extends FilesSourceConfig {
  /** The watched resources objects are routed to. */
  resources: readonly WatchedResourceConfig[];
  logger: Logger;
  /** Hears every problem: ManifestErrors for files, WatchErrors for the source as a whole. */
  onError?: (err: WatchError) => void;
  /** Hears the end of the initial load and of every batch of changes (for tests and tooling). */
  onBatchApplied?: (batch: AppliedBatch) => void;
  /** The clock of the debounce; the system clock by default. */
  clock?: Clock;
  /** Overrides DEFAULTS.maxWaitMs (never below debounceMs). */
  maxWaitMs?: number;
  /** Bounds on files and objects (limits in the config); default the config's defaults. */
  limits?: LimitsConfig;
}

/** What one batch (or the initial load) did. */
export interface AppliedBatch {
  /** Files read, sorted. */
  read: string[];
  /** Files whose objects were dropped because they are gone, sorted. */
  removed: string[];
  /** Calls made on sinks (add, update, delete; one replace per resource on the initial load). */
  events: number;
}

/** What is known about one manifest file. */
interface FileRecord {
  signature: string;
  /** The objects of the last content that parsed. */
  objects: PreparedObject[];
  problems: ManifestError[];
}

type Phase = 'new' | 'starting' | 'running' | 'stopped';

/** How a failed listing of the root starts; such a problem clears once a listing succeeds. */
const UNREADABLE_ROOT = 'cannot list the manifests path';

/** A Source reading a folder of manifests, optionally watching it for changes. */
export class FilesSource implements ObjectSource {
  readonly #options: FilesSourceOptions;
  readonly #root: string;
  readonly #log: Logger;
  readonly #routes: ResourceRoute[];
  readonly #limits: LimitsConfig;
  readonly #debouncer: Debouncer;
  readonly #settleCheck: Debouncer;
  readonly #files = new Map<string, FileRecord>();
  #listingProblems: ManifestError[] = [];
  #contents = new Map<string, ResourceContents>();
  #sinks = new Map<string, WatchSink>();
  #duplicates = new Set<string>();
  /** Watched resources already warned about matching no object's type (until they match one). */
  #unmatched = new Set<string>();
  #pendingPaths = new Set<string>();
  #queue: Promise<void> = Promise.resolve();
  #watch: ManifestWatch | undefined;
  #rootIsFile = false;
  #phase: Phase = 'new';
  #lastProblem: WatchProblem | undefined;

  /** Compiles the resources' filters; throws a WatchError naming a resource whose selector does not parse. */
  constructor(options: FilesSourceOptions) {
    this.#options = options;
    this.#root = resolve(options.path);
    this.#log = options.logger.child({ component: 'files-source' });
    this.#routes = options.resources.map(compileRoute);
    this.#limits = options.limits ?? DEFAULT_LIMITS;
    const clock = options.clock ?? systemClock;
    const quietMs = Math.max(options.debounceMs, DEFAULTS.watcherBlindMs);
    const maxWaitMs = Math.max(options.maxWaitMs ?? DEFAULTS.maxWaitMs, quietMs);
    this.#debouncer = new Debouncer({ quietMs, maxWaitMs, clock }, () => this.#applyPending());
    this.#settleCheck = new Debouncer({ quietMs: DEFAULTS.watcherBlindMs, maxWaitMs, clock }, () => this.#debouncer.trigger());
  }

  /**
   * Reads every manifest, delivers each resource's objects with one replace() and then
   * synced() for every sink, and (when watching) keeps applying changes. Rejects with a
   * WatchError when the path does not exist or a sink names no configured resource.
   */
  async start(sinks: ReadonlyMap<string, WatchSink>): Promise<void> {
    this.#acceptSinks(sinks);
    this.#rootIsFile = await this.#examineRoot();
    if (this.#options.watch) await this.#startWatching();
    if (this.#phase === 'stopped') return;
    this.#queue = this.#loadInitial();
    try {
      await this.#queue;
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Closes the watcher, clears timers and waits for a batch in progress; no sink is called afterwards. */
  async stop(): Promise<void> {
    this.#phase = 'stopped';
    this.#debouncer.cancel();
    this.#settleCheck.cancel();
    this.#pendingPaths.clear();
    const watch = this.#watch;
    this.#watch = undefined;
    await watch?.close();
    await this.#queue.catch(() => undefined);
  }

  /**
   * Per watched resource: synced once the initial load was delivered; lastProblem is the
   * last source-wide problem: a watcher failure (kept), or a root that could not be listed
   * (cleared by the next listing that succeeds). Problems of single files are in problems().
   */
  status(): ResourceWatchStatus[] {
    const synced = this.#phase === 'running';
    return this.#routes.map((route) => ({
      resource: route.name,
      synced: synced && this.#sinks.has(route.name),
      ...(this.#lastProblem ? { lastProblem: this.#lastProblem } : {}),
    }));
  }

  /**
   * The object `id` names (cluster, namespace, name) of the watched resource `resource` as last delivered (a
   * copy the caller owns), or undefined when no manifest defines it: what an on-demand store
   * reads, so a config with `store: on-demand` works on manifests as it does on a cluster.
   * The manifests are parsed already (they are routed and compared as they load), so no
   * file is read. Rejects with a WatchError for a resource that is not watched, and before
   * the manifests are loaded.
   */
  async fetch(resource: string, identity: ObjectIdentity, signal?: AbortSignal): Promise<KubeObject | undefined> {
    signal?.throwIfAborted();
    const id = formatIdentity(identity.cluster, identity.namespace, identity.name);
    if (!this.#routes.some((route) => route.name === resource)) {
      throw new WatchError(`fetch: ${resource} is not a watched resource`, { resource });
    }
    const contents = this.#contents.get(resource);
    if (contents === undefined) throw new WatchError(`fetch ${resource} ${id}: the manifests are not loaded yet`, { resource });
    const prepared = contents.get(id);
    return prepared === undefined ? undefined : copyOf(prepared);
  }

  /** The current problems of the manifest files, in path order; empty when every file loads cleanly. */
  problems(): ManifestError[] {
    const files = [...this.#files.keys()].sort().flatMap((path) => this.#files.get(path)!.problems);
    return [...this.#listingProblems, ...files];
  }

  #acceptSinks(sinks: ReadonlyMap<string, WatchSink>): void {
    if (this.#phase !== 'new') throw new WatchError('a FilesSource can be started only once');
    const names = this.#routes.map((route) => route.name);
    const unknown = [...sinks.keys()].filter((name) => !names.includes(name));
    if (unknown.length > 0) {
      throw new WatchError(`no watched resource named ${unknown.join(', ')} (configured: ${names.join(', ') || 'none'})`);
    }
    this.#sinks = new Map(sinks);
    this.#phase = 'starting';
  }

  async #examineRoot(): Promise<boolean> {
    try {
      return !(await stat(this.#root)).isDirectory();
    } catch (err) {
      this.#phase = 'stopped';
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(err)})`;
      throw new WatchError(`manifests path ${this.#root} ${why}`, { cause: err });
    }
  }

  async #startWatching(): Promise<void> {
    this.#watch = await watchManifests(this.#root, this.#rootIsFile, {
      onChange: (path) => this.#noteChange(path),
      onError: (err) => this.#reportSourceProblem(`watching ${this.#root} failed`, err),
    });
    if (this.#phase === 'stopped') await this.stop();
  }

  async #loadInitial(): Promise<void> {
    const listing = await this.#list().catch((err: unknown) => {
      throw new WatchError(`manifests path ${this.#root} cannot be read: ${String(err)}`, { cause: err });
    });
    const { read } = await this.#refreshFiles(listing, new Set());
    if (this.#phase === 'stopped') return;
    this.#contents = this.#collect();
    this.#warnUnmatchedTypes();
    for (const [name, sink] of this.#sinks) {
      sink.replace([...this.#contents.get(name)!.values()].sort(byNamespaceName).map(copyOf));
    }
    for (const sink of this.#sinks.values()) sink.synced();
    this.#phase = 'running';
    const objects = [...this.#contents.values()].reduce((n, c) => n + c.size, 0);
    this.#log.info({ path: this.#root, files: read.length, objects, problems: this.problems().length }, 'manifests loaded');
    this.#options.onBatchApplied?.({ read, removed: [], events: this.#sinks.size });
  }

  #noteChange(path: string): void {
    if (this.#phase === 'stopped') return;
    this.#pendingPaths.add(path);
    this.#debouncer.trigger();
    this.#settleCheck.trigger();
  }

  #applyPending(): void {
    const paths = this.#pendingPaths;
    this.#pendingPaths = new Set();
    this.#queue = this.#queue
      .then(() => this.#applyChanges(paths))
      .catch((err: unknown) => this.#reportSourceProblem('applying manifest changes failed', err));
  }

  /** One batch: re-read what changed, rebuild the resources' contents, deliver the difference. */
  async #applyChanges(paths: Set<string>): Promise<void> {
    if (this.#phase !== 'running') return; // before the initial load, which reads everything anyway
    let listing: ManifestListing;
    try {
      listing = await this.#list();
    } catch (err) {
      this.#reportSourceProblem(`${UNREADABLE_ROOT} ${this.#root}; keeping the objects loaded`, err);
      return;
    }
    if (this.#lastProblem?.message.startsWith(UNREADABLE_ROOT)) this.#lastProblem = undefined;
    const { read, removed } = await this.#refreshFiles(listing, paths);
    if (this.#phase !== 'running') return;
    const next = this.#collect();
    this.#warnUnmatchedTypes();
    const events = this.#deliverChanges(next);
    this.#contents = next;
    this.#log.debug({ read, removed, events }, 'manifest changes applied');
    this.#options.onBatchApplied?.({ read, removed, events });
  }

  /** Lists the manifests; a single-file root that is gone lists as empty (its objects are deleted). */
  async #list(): Promise<ManifestListing> {
    try {
      return await listManifestFiles(this.#root);
    } catch (err) {
      if (this.#rootIsFile && (err as NodeJS.ErrnoException).code === 'ENOENT') return { files: [], problems: [] };
      throw err;
    }
  }

  /** Drops files that are gone and re-reads those that are new, changed on disk, or named by an event. */
  async #refreshFiles(listing: ManifestListing, forced: Set<string>): Promise<{ read: string[]; removed: string[] }> {
    this.#noteListingProblems(listing.problems);
    const present = new Set(listing.files.map((file) => file.path));
    const removed = [...this.#files.keys()].filter((path) => !present.has(path)).sort();
    for (const path of removed) this.#files.delete(path);
    if (removed.length > 0) this.#log.info({ files: removed }, 'manifest files removed');
    const stale = listing.files.filter(
      (file) => forced.has(file.path) || this.#files.get(file.path)?.signature !== file.signature,
    );
    const limit = pLimit(DEFAULTS.readConcurrency);
    await Promise.all(stale.map((file) => limit(() => this.#readFile(file))));
    return { read: stale.map((file) => file.path), removed };
  }

  async #readFile(file: ManifestFile): Promise<void> {
    let parsed: ParsedManifest;
    try {
      parsed = parseManifest(file.path, await readManifestText(file.path, this.#limits.maxFileBytes), this.#limits);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.#files.delete(file.path); // gone since it was listed; the next batch confirms
        return;
      }
      const reason = err instanceof FileTooLargeError ? err.message : `cannot read file (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
      parsed = { objects: [], unparsable: true, problems: [new ManifestError(reason, { file: file.path }, { cause: err })] };
    }
    const previous = this.#files.get(file.path);
    const objects = parsed.unparsable ? (previous?.objects ?? []) : parsed.objects.map((o) => this.#prepare(o));
    this.#files.set(file.path, { signature: file.signature, objects, problems: parsed.problems });
    this.#reportFile(file.path, parsed, previous);
  }

  #prepare(found: ManifestObject): PreparedObject {
    const content = canonicalJson(found.obj);
    const obj = withSyntheticMetadata(found.obj, content);
    const resources = this.#routes.filter((route) => route.matches(obj)).map((route) => route.name);
    if (resources.length === 0) {
      this.#log.debug({ file: found.file, line: found.line, object: describeObject(obj) }, 'object belongs to no watched resource; ignored');
    }
    return { obj, content, file: found.file, line: found.line, col: found.col, resources };
  }

  #reportFile(path: string, parsed: ParsedManifest, previous: FileRecord | undefined): void {
    for (const problem of parsed.problems) {
      this.#log.error({ file: problem.file, line: problem.line, col: problem.col }, problem.message);
      this.#options.onError?.(problem);
    }
    const kept = previous?.objects.length ?? 0;
    if (parsed.unparsable && kept > 0) {
      this.#log.warn({ file: path, objects: kept }, 'keeping the objects last loaded from this file until it parses again');
    } else if (parsed.problems.length === 0 && (previous?.problems.length ?? 0) > 0) {
      this.#log.info({ file: path }, 'manifest file loads cleanly again');
    }
  }

  #noteListingProblems(problems: ManifestError[]): void {
    const known = new Set(this.#listingProblems.map((p) => p.message));
    for (const problem of problems.filter((p) => !known.has(p.message))) {
      this.#log.error({ file: problem.file }, problem.message);
      this.#options.onError?.(problem);
    }
    this.#listingProblems = problems;
  }

  #collect(): Map<string, ResourceContents> {
    const files = [...this.#files.keys()].sort().map((path) => this.#files.get(path)!.objects);
    const seen = new Set<string>();
    const contents = collectContents(this.#routes.map((r) => r.name), files, (duplicate) => {
      const key = duplicateKey(duplicate);
      seen.add(key);
      if (!this.#duplicates.has(key)) this.#warnDuplicate(duplicate);
    });
    this.#duplicates = seen;
    return contents;
  }

  /** Warns once about each watched resource whose apiVersion and kind match no object (see unmatched-types.ts). */
  #warnUnmatchedTypes(): void {
    const objects = [...this.#files.values()].flatMap((record) => record.objects.map((p) => p.obj));
    const unmatched = unmatchedResources(this.#routes, objects);
    const now = new Set(unmatched.map((u) => u.resource));
    for (const { resource, found } of unmatched) {
      if (this.#unmatched.has(resource)) continue;
      const config = this.#options.resources.find((r) => r.name === resource);
      const type = `apiVersion ${config?.apiVersion}, ${config?.kind ? `kind ${config.kind}` : `resource ${config?.resource}`}`;
      this.#log.warn(
        { resource, found },
        `watched resource "${resource}" (${type}) matches no object in ${this.#root}: it stays empty; the manifests hold ${found.join(', ')}`,
      );
    }
    this.#unmatched = now;
  }

  #warnDuplicate({ resource, id, kept, dropped }: Duplicate): void {
    const where = (p: PreparedObject): string => formatPosition(p);
    this.#log.warn(
      { resource, object: id, kept: where(kept), dropped: where(dropped) },
      `${resource} ${id} is defined in both ${where(dropped)} and ${where(kept)}; the later, ${where(kept)}, wins`,
    );
  }

  /** Delivers each resource's difference to its sink (deletes, then adds, then updates); returns the count. */
  #deliverChanges(next: Map<string, ResourceContents>): number {
    let events = 0;
    for (const [name, sink] of this.#sinks) {
      const changes = diffContents(this.#contents.get(name)!, next.get(name)!);
      for (const p of changes.deleted) sink.delete(copyOf(p));
      for (const p of changes.added) sink.add(copyOf(p));
      for (const p of changes.updated) sink.update(copyOf(p));
      events += changes.deleted.length + changes.added.length + changes.updated.length;
    }
    return events;
  }

  #reportSourceProblem(what: string, err: unknown): void {
    const message = `${what}: ${err instanceof Error ? err.message : String(err)}`;
    const error = new WatchError(message, { cause: err });
    this.#lastProblem = { message, at: new Date() };
    this.#log.error({ err: error }, message);
    this.#options.onError?.(error);
  }
}

/** A copy for one sink: sinks own what they receive, so no two share an instance. */
function copyOf(prepared: PreparedObject): KubeObject {
  return structuredClone(prepared.obj);
}

function duplicateKey({ resource, id, kept, dropped }: Duplicate): string {
  return JSON.stringify([resource, id, kept.file, dropped.file]);
}
