/**
 * The current objects of one resource, in key order, and its change history.
 */
import { EventLog, type ChangeEvent } from './event-log.ts';
import type { ServedResource } from './resources.ts';
import type { StoredObject } from './stored-object.ts';

/** Index of the first element of sorted `keys` that is >= `key`. */
export function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Objects of one resource keyed by objectKey. The sorted key array is built on first use
 * (bulk loads stay O(1) per object) and maintained incrementally after that.
 */
export class ResourceState {
  readonly resource: ServedResource;
  readonly log: EventLog;
  readonly #objects = new Map<string, StoredObject>();
  #sorted: string[] | undefined;

  constructor(resource: ServedResource, historyWindow: number) {
    this.resource = resource;
    this.log = new EventLog(historyWindow);
  }

  get size(): number {
    return this.#objects.size;
  }

  get(key: string): StoredObject | undefined {
    return this.#objects.get(key);
  }

  has(key: string): boolean {
    return this.#objects.has(key);
  }

  /** Applies a change to the current state and records it in the log. */
  apply(event: ChangeEvent): void {
    const key = event.object.key;
    if (event.type === 'DELETED') {
      this.#objects.delete(key);
      if (this.#sorted !== undefined) this.#sorted.splice(lowerBound(this.#sorted, key), 1);
    } else {
      if (event.type === 'ADDED' && this.#sorted !== undefined) {
        this.#sorted.splice(lowerBound(this.#sorted, key), 0, key);
      }
      this.#objects.set(key, event.object);
    }
    this.log.push(event);
  }

  /** Every current key, sorted. Read-only: it is the live index. */
  sortedKeys(): readonly string[] {
    this.#sorted ??= [...this.#objects.keys()].sort();
    return this.#sorted;
  }

  /** Current objects in key order, optionally within one namespace. */
  current(namespace?: string): StoredObject[] {
    const keys = this.sortedKeys();
    const [lo, hi] = keyRange(keys, namespace);
    const objects: StoredObject[] = [];
    for (let i = lo; i < hi; i++) objects.push(this.#objects.get(keys[i]!)!);
    return objects;
  }
}

/** The first key of a namespace's range and the first key after it. */
export function namespaceBounds(namespace: string): [string, string] {
  return [`${namespace}\0`, `${namespace}\u0001`];
}

/** Index range [lo, hi) of `keys` within a namespace (all keys when undefined). */
export function keyRange(keys: readonly string[], namespace: string | undefined): [number, number] {
  if (namespace === undefined) return [0, keys.length];
  const [from, to] = namespaceBounds(namespace);
  return [lowerBound(keys, from), lowerBound(keys, to)];
}
