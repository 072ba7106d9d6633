/**
 * TemplateMemo: the cached results of one template's memo blocks, bounded in entries and
 * estimated bytes (least recently used first out), with the counts /metrics and /debug show.
 * A renderer keeps one per template; a new config version (or changed template files)
 * builds a new renderer, so the caches go with the templates they were made from.
 */
import { LRUCache } from 'lru-cache';
import type { MemoResult } from '../nunjucks/index.ts';
import type { Reads } from './recording.ts';
import type { MemoOptions, MemoStats } from './index.ts';

/** One cached block result: what it produced, and what it read. */
export interface MemoEntry {
  readonly result: MemoResult;
  /** What the block read (its views move to the current ones each time the entry is found to hold). */
  readonly reads: Reads;
  /** Estimated bytes (text, exported values, dependencies). */
  readonly bytes: number;
}

export class TemplateMemo {
  readonly template: string;
  readonly #entries: LRUCache<string, MemoEntry>;
  /** A short number per block ("file:line:col"), so entry keys stay short. */
  readonly #blocks = new Map<string, number>();
  hits = 0;
  misses = 0;
  uncacheable = 0;

  constructor(template: string, options: MemoOptions) {
    this.template = template;
    this.#entries = new LRUCache<string, MemoEntry>({
      max: Math.max(1, options.maxEntries),
      maxSize: Math.max(1, options.maxBytes),
      sizeCalculation: (entry) => Math.max(1, entry.bytes),
    });
  }

  /** The cache key of the result of block `blockId` for the hashed keys `key`. */
  entryKey(blockId: string, key: string): string {
    let block = this.#blocks.get(blockId);
    if (block === undefined) this.#blocks.set(blockId, (block = this.#blocks.size));
    return `${block}:${key}`;
  }

  get(key: string): MemoEntry | undefined {
    return this.#entries.get(key);
  }

  /** Keeps `entry` (an entry bigger than the whole cache is not kept). */
  set(key: string, entry: MemoEntry): void {
    this.#entries.set(key, entry);
  }

  /** Forgets `key` (its result no longer holds). */
  delete(key: string): void {
    this.#entries.delete(key);
  }

  stats(): MemoStats {
    return { template: this.template, hits: this.hits, misses: this.misses, uncacheable: this.uncacheable, entries: this.#entries.size, bytes: this.#entries.calculatedSize };
  }
}

const SIZES = Object.freeze({
  /** Bytes counted per value slot (a pointer and a header), per dependency, per entry. */
  slot: 16,
  dependency: 64,
  entry: 128,
  /** Values of exported data walked for the estimate, at most; the rest are counted as slots. */
  maxWalked: 100_000,
});

/**
 * The estimated bytes of a block result that made `lookups` lookups, before its exports
 * are frozen: frozen objects are owned by someone else (the stores, the results of other
 * blocks, which count them) and count as a pointer.
 */
export function entryBytes(result: MemoResult, lookups: number): number {
  const budget = { values: SIZES.maxWalked };
  let bytes = SIZES.entry + textBytes(result.output) + lookups * SIZES.dependency;
  for (const value of result.values) bytes += valueBytes(value, budget, new Set());
  return bytes;
}

/** Strings and the containers the block made. */
function valueBytes(value: unknown, budget: { values: number }, seen: Set<object>): number {
  if (typeof value === 'string') return SIZES.slot + textBytes(value);
  if (value === null || typeof value !== 'object' || Object.isFrozen(value) || seen.has(value) || --budget.values < 0) return SIZES.slot;
  seen.add(value);
  let bytes = SIZES.slot;
  for (const member of Object.values(value)) bytes += valueBytes(member, budget, seen);
  return bytes;
}

/** A string's bytes as V8 keeps configuration text (Latin-1, one byte a character; other text takes two, and is rare in configs). */
function textBytes(text: string): number {
  return text.length;
}
