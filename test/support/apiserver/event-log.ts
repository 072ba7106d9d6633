/**
 * The change history of one resource: a ring of the last N events, which serves watch
 * resumption and consistent (snapshot) list pages, and knows from which resourceVersion on
 * it is complete.
 */
import type { StoredObject } from './stored-object.ts';

/** A change to one object. */
export interface ChangeEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The resourceVersion the change produced. */
  readonly rv: number;
  /** The new state; for DELETED the last state, stamped with the deletion's resourceVersion. */
  readonly object: StoredObject;
  /** The state before the change; undefined for ADDED. */
  readonly prev: StoredObject | undefined;
}

/** Ring buffer of ChangeEvents in resourceVersion order. */
export class EventLog {
  readonly #capacity: number;
  readonly #ring: Array<ChangeEvent | undefined>;
  #head = 0;
  #size = 0;
  #completeAfter = 0;

  /** Keeps the last `capacity` events (0 keeps none). */
  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#ring = new Array<ChangeEvent | undefined>(capacity);
  }

  /** Every event with a resourceVersion greater than this is still in the log. */
  get completeAfter(): number {
    return this.#completeAfter;
  }

  /** Appends an event, forgetting the oldest when full. */
  push(event: ChangeEvent): void {
    if (this.#capacity === 0) {
      this.#completeAfter = event.rv;
      return;
    }
    if (this.#size === this.#capacity) {
      this.#completeAfter = this.#ring[this.#head]!.rv;
      this.#ring[this.#head] = event;
      this.#head = (this.#head + 1) % this.#capacity;
      return;
    }
    this.#ring[(this.#head + this.#size) % this.#capacity] = event;
    this.#size++;
  }

  /**
   * The events after resourceVersion `rv`, oldest first; undefined when some of them have
   * been forgotten (the caller answers 410 Expired).
   */
  since(rv: number): ChangeEvent[] | undefined {
    if (rv < this.#completeAfter) return undefined;
    let lo = 0;
    let hi = this.#size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#at(mid).rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    const events: ChangeEvent[] = [];
    for (let i = lo; i < this.#size; i++) events.push(this.#at(i));
    return events;
  }

  /** Forgets everything; the log is complete only after `rv` from now on. */
  compact(rv: number): void {
    this.#ring.fill(undefined);
    this.#head = 0;
    this.#size = 0;
    this.#completeAfter = rv;
  }

  #at(index: number): ChangeEvent {
    return this.#ring[(this.#head + index) % this.#capacity]!;
  }
}
