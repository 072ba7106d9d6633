/**
 * Finding the watched objects a refused printed value came from: the failure path of the
 * line check. Nothing is tracked while rendering; only when a value is refused are the
 * objects searched, for one that holds a string with an unsafe character (a value or a
 * key, anywhere in it) that is the printed value, or failing that, part of it (the template
 * joined it with other text: `"# " ~ path`).
 */
import type { KubeObject } from '../../k8s.ts';
import { UNSAFE_CHARACTER } from '../unsafe-text.ts';

/** An object and the watched resource it was read from. */
export interface Candidate {
  readonly resource: string;
  readonly obj: KubeObject;
}

const DEFAULTS = Object.freeze({
  /** Nesting depth searched at most: Kubernetes objects are far shallower; a bound against pathological ones. */
  maxDepth: 64,
});

/**
 * The unsafe strings of each object searched so far. Objects in stores are frozen and a
 * new version is a new object, so an object is walked once for its whole life.
 */
const unsafeStringsOf = new WeakMap<object, readonly string[]>();

function unsafeStrings(obj: KubeObject): readonly string[] {
  let found = unsafeStringsOf.get(obj);
  if (found === undefined) {
    const strings: string[] = [];
    collect(obj, strings, 0);
    found = Object.freeze(strings);
    unsafeStringsOf.set(obj, found);
  }
  return found;
}

function collect(value: unknown, into: string[], depth: number): void {
  if (typeof value === 'string') {
    if (UNSAFE_CHARACTER.test(value)) into.push(value);
    return;
  }
  if (value === null || typeof value !== 'object' || depth > DEFAULTS.maxDepth) return;
  if (Array.isArray(value)) {
    for (const item of value) collect(item, into, depth + 1);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (UNSAFE_CHARACTER.test(key)) into.push(key);
    collect(item, into, depth + 1);
  }
}

/** The candidates holding at least one unsafe string: the only ones a refused value can come from. */
export function suspectsAmong(candidates: Iterable<Candidate>): Candidate[] {
  const suspects: Candidate[] = [];
  for (const candidate of candidates) if (unsafeStrings(candidate.obj).length > 0) suspects.push(candidate);
  return suspects;
}

/**
 * The candidates that hold `text` itself; when none does, those holding the longest unsafe
 * string that is part of `text`. Empty when no candidate holds any part of it.
 */
export function holdersOf(text: string, candidates: Iterable<Candidate>): Candidate[] {
  const exact: Candidate[] = [];
  let partial: Candidate[] = [];
  let longest = 0;
  for (const candidate of candidates) {
    let best = 0;
    for (const s of unsafeStrings(candidate.obj)) {
      if (s === text) {
        best = Infinity;
        break;
      }
      if (s.length > best && text.includes(s)) best = s.length;
    }
    if (best === Infinity) exact.push(candidate);
    else if (best > longest) {
      longest = best;
      partial = [candidate];
    } else if (best > 0 && best === longest) partial.push(candidate);
  }
  return exact.length > 0 ? exact : partial;
}
