/**
 * Heap readings inside a contender process (started with --expose-gc): the heap in use
 * after full collections, so what is counted is what stays reachable.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

const DEFAULTS = Object.freeze({
  /** Full collections before reading: later ones free what finalizers and weak refs released. */
  collections: 4,
});

/** Bytes of heap in use after DEFAULTS.collections full collections, with a turn of the event loop between them. */
export async function settledHeap(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('heap figures need node --expose-gc');
  for (let i = 0; i < DEFAULTS.collections; i++) {
    gc();
    await nextTurn();
  }
  return process.memoryUsage().heapUsed;
}
