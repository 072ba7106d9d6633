/**
 * Incremental rendering: the results of `{% memo %}` blocks (see ../nunjucks/memo-tag.ts
 * for the tag and ../nunjucks/memo-check.ts for what a block may do) are kept per template
 * and reused while everything the block read is unchanged. What a block read is recorded
 * as it runs (recording.ts): every lookup through `resources` with its answer, and every
 * read of a whole resource. A cached result is reused only after each recorded lookup,
 * asked again of the stores as they are now, gives the same objects (a `Get` that found
 * nothing must still find nothing), and every whole resource read is the same version.
 * Anything that cannot be checked that way is not cached (pass.ts), so the failure mode
 * is a slower render, never a stale output.
 */

/** How a renderer keeps memo results (render.memo, render.memo_max_bytes, render.memo_max_entries). */
export interface MemoOptions {
  /** Reuse results at all; false renders every block every time (same output, slower). */
  readonly enabled: boolean;
  /** Bytes of cached results per template, at most (estimated: text and exported values). */
  readonly maxBytes: number;
  /** Cached results per template, at most. */
  readonly maxEntries: number;
}

/** Defaults of the memo caches. */
export const DEFAULTS: MemoOptions = Object.freeze({
  enabled: true,
  /** 256 MiB per template: the 10k-Ingress example keeps about a fifth of that (its output alone is 15 MB). */
  maxBytes: 256 * 1024 * 1024,
  /** Entries per template: a block per object of a 100k-object cluster, with room. */
  maxEntries: 250_000,
});

/** What one template's memo cache did since it was created (a renderer's life: one config version). */
export interface MemoStats {
  readonly template: string;
  /** Blocks whose cached result was reused. */
  readonly hits: number;
  /** Blocks rendered because nothing was cached, or something they read changed. */
  readonly misses: number;
  /** Blocks rendered and not cached (they read something that cannot be checked later). */
  readonly uncacheable: number;
  /** Results cached now, and their estimated bytes. */
  readonly entries: number;
  readonly bytes: number;
}
