/**
 * One watch of a MemoryRepository: filters the repository's changes by prefix and hands
 * them to the owner's handlers in order, one call at a time, from a microtask queue (so a
 * handler that writes to the repository never re-enters itself).
 */
import type { KvChange, KvError, KvWatch, KvWatchHandlers, Revision } from '../types.ts';

/** The key a change concerns. */
export function changeKey(change: KvChange): string {
  return change.type === 'put' ? change.record.key : change.key;
}

/** A watch fed by MemoryRepository; callers only see it as a KvWatch. */
export class MemoryWatch implements KvWatch {
  readonly #prefix: string;
  readonly #after: Revision;
  readonly #handlers: KvWatchHandlers;
  readonly #onClose: (watch: MemoryWatch) => void;
  readonly #queue: Array<() => void> = [];
  #scheduled = false;
  #closed = false;
  #lost = false;

  /** Watches keys under `prefix` for changes after `after`; `onClose` unregisters it. */
  constructor(prefix: string, after: Revision, handlers: KvWatchHandlers, onClose: (watch: MemoryWatch) => void) {
    this.#prefix = prefix;
    this.#after = after;
    this.#handlers = handlers;
    this.#onClose = onClose;
  }

  /** Queues the changes of one transaction at `revision` that fall under the prefix. */
  deliver(revision: Revision, changes: readonly KvChange[]): void {
    if (this.#closed || this.#lost || revision <= this.#after) return;
    const mine = changes.filter((change) => changeKey(change).startsWith(this.#prefix));
    if (mine.length > 0) this.#enqueue(() => this.#handlers.onChanges(Object.freeze(mine)));
  }

  /** Ends the watch with `error`: onLost is its last call. */
  lose(error: KvError): void {
    if (this.#closed || this.#lost) return;
    this.#lost = true;
    this.#enqueue(() => {
      void this.close();
      this.#handlers.onLost(error);
    });
  }

  /** Reports a dropped connection that the watch resumes from at once. */
  interrupt(error: KvError): void {
    if (this.#closed || this.#lost) return;
    this.#enqueue(() => this.#handlers.onDisconnected?.(error));
    this.#enqueue(() => this.#handlers.onConnected?.());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.#onClose(this);
  }

  #enqueue(call: () => void): void {
    this.#queue.push(call);
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => this.#drain());
  }

  #drain(): void {
    this.#scheduled = false;
    while (this.#queue.length > 0 && !this.#closed) this.#queue.shift()!();
  }
}
