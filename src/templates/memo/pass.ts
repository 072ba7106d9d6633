/**
 * The memo blocks of one render pass: for each block, reuse its cached result when every
 * dependency still holds, else render it (recording what it reads) and cache the result
 * when it can be checked later. A result is not cached when the block, as it ran:
 * - read an object that is not loaded yet (the two-pass render discards this pass);
 * - left an object out, warned about one, or printed a value the line check refused
 *   (isolation acts on those, and a reused result would not report them again);
 * - called `rejected_objects()` (its answer depends on this render's isolation rounds);
 * - had keys that cannot be hashed (functions, Maps, values not loaded yet).
 * A block that throws caches nothing. What the block read is added to the blocks around it.
 */
import type { PassReport } from '../isolation/pass-report.ts';
import { freezeResult, setMemoRunner, type MemoResult, type MemoRunner } from '../nunjucks/index.ts';
import type { Resources } from '../resources.ts';
import { entryBytes, type TemplateMemo } from './cache.ts';
import { keyOf } from './key.ts';
import { recordingResources, Recorder, stillHolds } from './recording.ts';

/** Runs `render` (one synchronous render pass over `resources`) with `memo` deciding about its blocks. */
export function runMemoPass<T>(memo: TemplateMemo | undefined, resources: Resources, report: PassReport, render: () => T): T {
  const previous = setMemoRunner(memo === undefined ? undefined : passRunner(memo, resources, report));
  try {
    return render();
  } finally {
    setMemoRunner(previous);
  }
}

function passRunner(memo: TemplateMemo, resources: Resources, report: PassReport): MemoRunner {
  const recorders: Recorder[] = [];
  return (block, keys, _outer, compute) => {
    const key = keyOf(keys);
    const id = key === undefined ? undefined : memo.entryKey(block.id, key);
    const entry = id === undefined ? undefined : memo.get(id);
    const parent = recorders.at(-1);
    if (entry !== undefined && stillHolds(entry.reads, resources)) {
      memo.hits++;
      parent?.addAll(entry.reads);
      return entry.result;
    }
    const recorder = new Recorder();
    const findings = findingsOf(report);
    recorders.push(recorder);
    let computed: MemoResult;
    try {
      computed = compute(recordingResources(resources, recorder));
    } finally {
      recorders.pop();
    }
    parent?.addAll(recorder.reads);
    if (parent !== undefined && recorder.uncheckable) parent.uncheckable = true;
    if (id === undefined || recorder.uncheckable || findingsOf(report) !== findings) {
      memo.uncacheable++;
      if (id !== undefined) memo.delete(id);
      return freezeResult(computed);
    }
    // Measured before freezing: what is frozen already is owned elsewhere (stores, other blocks' results).
    const bytes = entryBytes(computed, recorder.size);
    const result = freezeResult({ output: flat(computed.output), values: computed.values });
    memo.misses++;
    memo.set(id, { result, reads: recorder.reads, bytes });
    return result;
  };
}

/**
 * `text` made one flat string in place. Output is built by appending, as a tree of pieces
 * that V8 joins into one run of characters the first time the text is written out; a
 * cached result is appended to many outputs, so it is joined once, here, instead of in
 * every output that reuses it (at 10k Ingresses joining the whole output took longer than
 * rendering it incrementally). A regular expression needs a flat subject, so testing one
 * flattens it, in place.
 */
function flat(text: string): string {
  FLATTEN.test(text);
  return text;
}

const FLATTEN = /^/;

/** A fingerprint of what the pass has found so far: rejections, warnings, refused values, rejected_objects() calls. */
function findingsOf(report: PassReport): string {
  return `${report.rejections.length}/${report.warnings.length}/${report.unsafeValues.length}/${report.leftOutReads}`;
}
