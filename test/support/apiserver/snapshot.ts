/**
 * Consistent list pages: the objects of one resource as they were at a past
 * resourceVersion, reconstructed from the current state by undoing the logged changes
 * made since (as etcd serves every page of a paginated list at the first page's revision).
 */
import { keyRange, lowerBound, namespaceBounds, type ResourceState } from './resource-state.ts';
import type { StoredObject } from './stored-object.ts';

/** Which part of a snapshot to read. */
export interface PageQuery {
  /** The snapshot's resourceVersion; the current global one reads the current state. */
  atRv: number;
  /** Only this namespace; undefined for all. */
  namespace?: string;
  /** The first key to read (inclusive), from a continue token. */
  start?: string;
  /** Maximum items; undefined or 0 for all. */
  limit?: number;
  /** Items must pass this (label and field selectors). */
  filter?: (obj: StoredObject) => boolean;
}

/** One page of a snapshot. */
export interface Page {
  items: StoredObject[];
  /** The first key of the next page, when any object follows. */
  next?: string;
  /** How many objects follow (only computed without a filter, like the real server). */
  remaining?: number;
}

/** A resource's objects at one resourceVersion, within one namespace or all. */
class SnapshotView {
  readonly #state: ResourceState;
  /** key → state at the snapshot, for keys changed since (null: absent then). */
  readonly #overlay: Map<string, StoredObject | null>;
  readonly #keys: readonly string[];
  readonly #lo: number;
  readonly #hi: number;
  /** Keys that existed at the snapshot but are gone now, sorted, within range. */
  readonly #extras: string[];
  readonly #namespace: string | undefined;

  constructor(state: ResourceState, overlay: Map<string, StoredObject | null>, namespace: string | undefined) {
    this.#state = state;
    this.#overlay = overlay;
    this.#namespace = namespace;
    this.#keys = state.sortedKeys();
    [this.#lo, this.#hi] = keyRange(this.#keys, namespace);
    this.#extras = [...overlay]
      .filter(([key, obj]) => obj !== null && !state.has(key) && this.#inRange(key))
      .map(([key]) => key)
      .sort();
  }

  /** The snapshot's objects from `start` on, in key order. */
  *from(start: string): Generator<StoredObject> {
    let i = Math.max(this.#lo, lowerBound(this.#keys, start));
    let j = lowerBound(this.#extras, start);
    while (i < this.#hi || j < this.#extras.length) {
      const takeCurrent = j >= this.#extras.length || (i < this.#hi && this.#keys[i]! < this.#extras[j]!);
      const key = takeCurrent ? this.#keys[i++]! : this.#extras[j++]!;
      const obj = this.#overlay.has(key) ? this.#overlay.get(key) : this.#state.get(key);
      if (obj) yield obj;
    }
  }

  /** How many of the snapshot's objects have a key >= `start`. */
  countFrom(start: string): number {
    let count = this.#hi - Math.max(this.#lo, lowerBound(this.#keys, start));
    for (const [key, obj] of this.#overlay) {
      if (key < start || !this.#inRange(key)) continue;
      count += (obj === null ? 0 : 1) - (this.#state.has(key) ? 1 : 0);
    }
    return count;
  }

  #inRange(key: string): boolean {
    if (this.#namespace === undefined) return true;
    const [from, to] = namespaceBounds(this.#namespace);
    return key >= from && key < to;
  }
}

/** The snapshot at `atRv`, or undefined when the history no longer reaches back that far. */
function snapshotAt(state: ResourceState, atRv: number, namespace: string | undefined): SnapshotView | undefined {
  const events = state.log.since(atRv);
  if (events === undefined) return undefined;
  const overlay = new Map<string, StoredObject | null>();
  for (const e of events) if (!overlay.has(e.object.key)) overlay.set(e.object.key, e.prev ?? null);
  return new SnapshotView(state, overlay, namespace);
}

/**
 * Reads one page of the snapshot at `query.atRv`. Returns undefined when that snapshot
 * is no longer reconstructible (the caller answers 410 Expired). When the page is full
 * and more objects follow, `next` is set even if none of them passes the filter (the
 * real server does the same, so clients must accept an empty last page).
 */
export function readPage(state: ResourceState, query: PageQuery): Page | undefined {
  const view = snapshotAt(state, query.atRv, query.namespace);
  if (view === undefined) return undefined;
  const limit = query.limit ?? 0;
  const items: StoredObject[] = [];
  for (const obj of view.from(query.start ?? '')) {
    if (limit > 0 && items.length === limit) {
      const remaining = query.filter === undefined ? view.countFrom(obj.key) : undefined;
      return { items, next: obj.key, ...(remaining === undefined ? {} : { remaining }) };
    }
    if (query.filter === undefined || query.filter(obj)) items.push(obj);
  }
  return { items };
}
