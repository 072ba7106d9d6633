/**
 * StringTable: one instance of each repeated string, shared by the objects the stores hold
 * (as Kubernetes' own caches intern label values, image names and timestamps). The same
 * text arrives in every object as a copy of its own (V8's JSON.parse shares keys, and
 * values of up to nine characters, but not longer values); a Pod repeats tens of such values
 * (timestamps, images, mount paths, condition types, scheduler and policy names), and
 * keeping one copy of each takes about a quarter off a stored Pod's heap.
 *
 * Strings are immutable, so sharing one cannot let an object change another; what the
 * table must not do is grow with what tenants write, or let crafted values make it slow.
 * It is a fixed array of slots (a direct-mapped cache): a string goes to the slot its hash
 * picks, replacing whatever was there. Memory is bounded by the slots and the longest
 * string kept, every lookup costs one hash of at most 16 characters and one comparison,
 * and a flood of one-off values (or of values crafted to collide) only evicts
 * others, which then are shared a little less: never a wrong value, never more memory.
 */

export const DEFAULTS = Object.freeze({
  /**
   * Slots: 16,384 (a power of two). A cluster's repeated values (label values, images, node
   * names, timestamps of a rollout) number in the hundreds to thousands, so they rarely
   * meet; the table holds at most 16,384 × (128 characters + a 16-byte header) ≈ 2.3 MiB
   * of strings that no object uses any more.
   */
  slots: 16_384,
  /** Longest string shared, in UTF-16 units: a label value is at most 63, an image reference with a digest ~100. */
  maxLength: 128,
  /**
   * Shortest string shared: 10. V8's JSON.parse already returns one instance of each value
   * of up to nine characters (Node 24), so shorter ones would cost a lookup for nothing.
   */
  minLength: 10,
});

export interface StringTableOptions {
  /** Number of slots, a power of two. */
  slots?: number;
  maxLength?: number;
  minLength?: number;
}

/** What deepFreeze needs of a table: the shared instance of a string, if there is one. */
export interface SharedStrings {
  /** An instance equal to `value` that replaces it, or undefined to keep `value`. */
  shared(value: string): string | undefined;
}

/** See the module comment. Each worker thread has its own heap, so its own table. */
export class StringTable implements SharedStrings {
  readonly maxLength: number;
  readonly minLength: number;
  readonly #slots: Array<string | undefined>;
  readonly #mask: number;

  /** Throws RangeError when `slots` is not a power of two or a length is negative. */
  constructor(options: StringTableOptions = {}) {
    const slots = options.slots ?? DEFAULTS.slots;
    this.maxLength = options.maxLength ?? DEFAULTS.maxLength;
    this.minLength = options.minLength ?? DEFAULTS.minLength;
    if (!Number.isInteger(slots) || slots < 1 || (slots & (slots - 1)) !== 0) {
      throw new RangeError(`slots must be a power of two, got ${slots}`);
    }
    if (!(this.minLength >= 0 && this.maxLength >= 0)) throw new RangeError('string lengths must not be negative');
    this.#slots = new Array<string | undefined>(slots).fill(undefined);
    this.#mask = slots - 1;
  }

  /**
   * The table's instance of `value` when it holds an equal string, else undefined (and
   * `value`, if its length is within bounds, takes its slot). The result always equals
   * `value`: a caller replaces its copy by it, or keeps its own.
   */
  shared(value: string): string | undefined {
    const length = value.length;
    if (length > this.maxLength || length < this.minLength) return undefined;
    const slot = hash(value) & this.#mask;
    const held = this.#slots[slot];
    if (held === value) return held;
    this.#slots[slot] = value;
    return undefined;
  }

  /** Strings held (at most the number of slots). */
  get size(): number {
    let count = 0;
    for (const held of this.#slots) if (held !== undefined) count++;
    return count;
  }
}

/**
 * FNV-1a over the length and at most 16 UTF-16 units: every unit of a short string; of a
 * longer one the last eight (where timestamps, hashes and counters differ) and eight spread
 * over the rest. Strings that agree on all of those share a slot and evict each other,
 * which costs sharing, never correctness.
 */
function hash(value: string): number {
  const length = value.length;
  let h = Math.imul(0x811c9dc5 ^ length, 0x01000193);
  if (length <= 16) {
    for (let i = 0; i < length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  } else {
    const step = ((length - 8) >>> 3) + 1;
    for (let i = 0; i < length - 8; i += step) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
    for (let i = length - 8; i < length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  }
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) ^ (h >>> 12);
}

/** The table the stores' deepFreeze shares strings through (one per process). */
export const sharedStrings = new StringTable();
