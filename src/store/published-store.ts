/**
 * PublishedStore: the `published` store backend. A MemoryStore (templates read it like a
 * full store) that, while a consumer has its journal open, records every change of its
 * contents in a ChangeJournal for the publisher to mirror into the shared store. With no journal open
 * (a follower replica, `informant render`) it costs one undefined check per change.
 */
import type { KubeObject } from '../k8s.ts';
import { ChangeJournal } from './change-journal.ts';
import { deepFreeze } from './freeze.ts';
import { MemoryStore, type MemoryStoreOptions } from './memory-store.ts';
import type { StoreReader } from './types.ts';
import type { StoreBackend } from './registry.ts';

/** The `published` store backend for the StoreRegistry: a PublishedStore keyed by index_by. */
export const publishedStoreBackend: StoreBackend = Object.freeze<StoreBackend>({
  name: 'published',
  build: ({ name, keyCount }) => new PublishedStore({ name, keyCount }),
});

/**
 * Forwards the store's changes to the open journal, if any. The store freezes objects on
 * their first read; an object handed to the journal is read from then on, so it is frozen
 * here (only while a journal is open: a store nobody publishes pays nothing).
 */
class JournalTap {
  journal: ChangeJournal | undefined;
  readonly changed = (namespace: string, name: string, obj: KubeObject, deleted: boolean): void => {
    this.journal?.record({ namespace, name, obj: deepFreeze(obj), deleted });
  };
}

/** A MemoryStore with a change journal (see the module comment). */
export class PublishedStore extends MemoryStore {
  readonly #tap: JournalTap;

  constructor(options: Omit<MemoryStoreOptions, 'onChange'>) {
    const tap = new JournalTap();
    super({ ...options, onChange: tap.changed });
    this.#tap = tap;
  }

  /**
   * Opens a fresh, empty journal that records every later change (closing the previous
   * one): the consumer reads the whole store once, then applies the journal.
   */
  openJournal(): ChangeJournal {
    this.#tap.journal = new ChangeJournal();
    return this.#tap.journal;
  }

  /** Stops recording into `journal` (a no-op when another one is open). */
  closeJournal(journal: ChangeJournal): void {
    if (this.#tap.journal === journal) this.#tap.journal = undefined;
  }
}

/** True when `store` publishes its changes (store: published). */
export function isPublishedStore(store: StoreReader): store is PublishedStore {
  return store instanceof PublishedStore;
}
