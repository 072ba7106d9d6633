/**
 * FetchSession: what one render knows about the on-demand objects it reads, across its
 * passes (see two-pass.ts). It records the objects a pass could not find in their store's
 * cache, fetches them between passes, and holds on to every body it has handed out, so
 * that later passes of the same render read the same versions even when the cache has no
 * room left for them.
 */
import { objectId, type KubeObject } from '../k8s.ts';
import type { FetchError, OnDemandReader } from '../store/index.ts';
import { compareStrings } from '../text/compare-strings.ts';

/** What a template gets for one reference in the current pass. */
export type Resolution =
  | { readonly state: 'hit'; readonly obj: KubeObject }
  | { readonly state: 'not-found' }
  | { readonly state: 'miss' };

/** An object a pass could not find, for the error naming what stayed unresolved. */
export interface MissingObject {
  /** The watched resource (`resources.<name>`). */
  resource: string;
  /** namespace/name, or name when cluster-scoped; "cluster|" first when the object has a cluster. */
  id: string;
}

const MISS: Resolution = Object.freeze({ state: 'miss' });

/** One render's view of the on-demand stores. Not shared between renders. */
export class FetchSession {
  /** Bodies (and 404s) handed out or fetched in this render, by reference (a new version is a new reference). */
  readonly #known = new Map<KubeObject, Resolution>();
  /** Fetches that failed in this render, by reference: reading one fails the render. */
  readonly #failed = new Map<KubeObject, FetchError>();
  /** The current pass's misses: store → resource name and references. */
  #missing = new Map<OnDemandReader, { resource: string; refs: Set<KubeObject> }>();
  /** Stores a template read whole in this render. */
  readonly #fullReads = new Map<OnDemandReader, string>();
  #fetchFailed = false;
  #fetched = 0;

  /** Starts a pass: forgets the previous pass's misses (they have been fetched). */
  startPass(): void {
    this.#missing = new Map();
    this.#fetchFailed = false;
  }

  /**
   * What the template gets for `ref` of `store`: the body this render already holds, else
   * the cached one, else a miss (recorded, to fetch before the next pass). A reference
   * whose fetch failed in this render throws its FetchError (marking the pass as failed).
   */
  resolve(resource: string, store: OnDemandReader, ref: KubeObject): Resolution {
    const known = this.#known.get(ref);
    if (known !== undefined) return known;
    const error = this.#failed.get(ref);
    if (error !== undefined) {
      this.#fetchFailed = true;
      throw error;
    }
    const pending = this.#missing.get(store);
    if (pending?.refs.has(ref)) return MISS;
    const cached = store.cached(ref);
    if (cached.state !== 'miss') {
      this.#known.set(ref, cached);
      return cached;
    }
    if (pending === undefined) this.#missing.set(store, { resource, refs: new Set([ref]) });
    else pending.refs.add(ref);
    return MISS;
  }

  /** Counts a read of a whole on-demand store, once per render and store. */
  noteFullRead(resource: string, store: OnDemandReader): void {
    if (this.#fullReads.has(store)) return;
    this.#fullReads.set(store, resource);
    store.noteFullRead();
  }

  /** True when the current pass missed something. */
  hasMisses(): boolean {
    return this.#missing.size > 0;
  }

  /** True when the current pass read an object whose fetch failed: the render fails. */
  get fetchFailed(): boolean {
    return this.#fetchFailed;
  }

  /** GETs this render waited for (shared ones included). */
  get fetched(): number {
    return this.#fetched;
  }

  /** Every body this render was handed (cached or fetched), in no particular order. */
  bodies(): KubeObject[] {
    const out: KubeObject[] = [];
    for (const resolution of this.#known.values()) if (resolution.state === 'hit') out.push(resolution.obj);
    return out;
  }

  /** The watched resources this render read whole. */
  fullReads(): string[] {
    return [...this.#fullReads.values()];
  }

  /** The current pass's misses, sorted by resource then id. */
  missing(): MissingObject[] {
    const out: MissingObject[] = [];
    for (const { resource, refs } of this.#missing.values()) {
      for (const ref of refs) out.push({ resource, id: objectId(ref) });
    }
    return out.sort((a, b) => (a.resource === b.resource ? compareStrings(a.id, b.id) : compareStrings(a.resource, b.resource)));
  }

  /**
   * Fetches every miss of the current pass, concurrently (each store bounds its GETs in
   * flight and shares a GET between renders asking for the same object), and keeps the
   * outcomes for the next pass. A reference that changed meanwhile is left for the next
   * pass to read again from its store.
   */
  async fetchMissing(): Promise<void> {
    const work: Array<Promise<void>> = [];
    for (const [store, { refs }] of this.#missing) {
      for (const ref of refs) work.push(this.#fetch(store, ref));
    }
    await Promise.all(work);
  }

  async #fetch(store: OnDemandReader, ref: KubeObject): Promise<void> {
    const outcome = await store.fetch(ref);
    this.#fetched++;
    if (outcome.state === 'failed') this.#failed.set(ref, outcome.error);
    else if (outcome.state !== 'superseded') this.#known.set(ref, outcome);
  }
}
