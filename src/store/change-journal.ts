/**
 * ChangeJournal: the latest state of every object that changed in a store since the
 * journal was opened (or last drained), for a consumer that mirrors the store elsewhere
 * (the etcd publisher). Repeated changes of one object coalesce into one entry, so the
 * journal never holds more entries than objects that changed; entries keep the position of
 * the object's first pending change, so a busy object cannot starve the others.
 */
import { objectId, type KubeObject } from '../k8s.ts';

/** The latest state of one object: present (`deleted: false`) or removed. */
export interface JournalEntry {
  readonly namespace: string;
  readonly name: string;
  /** The object as stored (frozen; shared with the store, never copied); for a delete, the last version held. */
  readonly obj: KubeObject;
  readonly deleted: boolean;
}

/** Pending changes of one store; see the module comment. */
export class ChangeJournal {
  /** objectId (cluster|namespace/name) → latest entry, in order of first pending change. */
  readonly #entries = new Map<string, JournalEntry>();
  #onRecord: (() => void) | undefined;

  /** How many objects have a pending change. */
  get size(): number {
    return this.#entries.size;
  }

  /** Calls `listener` after every recorded change (the consumer schedules a flush); one listener at a time. */
  onRecord(listener: (() => void) | undefined): void {
    this.#onRecord = listener;
  }

  /** Records the latest state of one object, replacing a pending one. */
  record(entry: JournalEntry): void {
    this.#entries.set(objectId(entry.obj), entry);
    this.#onRecord?.();
  }

  /** The first `limit` pending entries, oldest first; they stay pending until acknowledged. */
  peek(limit: number): JournalEntry[] {
    const batch: JournalEntry[] = [];
    for (const entry of this.#entries.values()) {
      if (batch.length >= limit) break;
      batch.push(entry);
    }
    return batch;
  }

  /**
   * Marks entries as applied: each is removed unless the object changed again since it was
   * peeked (then the newer state stays pending).
   */
  acknowledge(entries: readonly JournalEntry[]): void {
    for (const entry of entries) {
      const id = objectId(entry.obj);
      if (this.#entries.get(id) === entry) this.#entries.delete(id);
    }
  }

  /** Forgets every pending entry (the consumer is about to read the whole store instead). */
  clear(): void {
    this.#entries.clear();
  }
}
