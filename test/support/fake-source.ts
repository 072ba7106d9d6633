import type { KubeObject } from '../../src/k8s.ts';
import type { ResourceWatchStatus, Source, WatchSink } from '../../src/watcher/index.ts';

/**
 * A source driven by the test: `start` delivers the initial objects per resource and
 * syncs (unless `holdSync` lists the resource); later changes are pushed with add/update/
 * delete. Objects are cloned on delivery, as a real source hands over fresh objects.
 */
export class FakeSource implements Source {
  sinks: ReadonlyMap<string, WatchSink> = new Map();
  started = false;
  stopped = false;
  readonly #initial: Record<string, KubeObject[]>;
  readonly #holdSync: Set<string>;

  constructor(initial: Record<string, KubeObject[]> = {}, options: { holdSync?: string[] } = {}) {
    this.#initial = initial;
    this.#holdSync = new Set(options.holdSync ?? []);
  }

  async start(sinks: ReadonlyMap<string, WatchSink>): Promise<void> {
    this.sinks = sinks;
    this.started = true;
    for (const [name, sink] of sinks) {
      sink.replace((this.#initial[name] ?? []).map((obj) => structuredClone(obj)));
      if (!this.#holdSync.has(name)) sink.synced();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  status(): ResourceWatchStatus[] {
    return [...this.sinks.keys()].map((resource) => ({ resource, synced: !this.#holdSync.has(resource) }));
  }

  /** Syncs a resource held back at start. */
  sync(resource: string): void {
    this.#holdSync.delete(resource);
    this.#sink(resource).synced();
  }

  add(resource: string, obj: KubeObject): void {
    this.#sink(resource).add(structuredClone(obj));
  }

  update(resource: string, obj: KubeObject): void {
    this.#sink(resource).update(structuredClone(obj));
  }

  delete(resource: string, obj: KubeObject): void {
    this.#sink(resource).delete(structuredClone(obj));
  }

  #sink(resource: string): WatchSink {
    const sink = this.sinks.get(resource);
    if (!sink) throw new Error(`no sink for ${resource}`);
    return sink;
  }
}
