/**
 * The edit distance behind every "did you mean": config keys and Kubernetes resource
 * names. Each caller keeps its own idea of "close enough".
 */

/** The Levenshtein distance of `a` and `b`: insertions, deletions and substitutions, each counting 1. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The fewest edits that turn `needle` into some part of `haystack` (Sellers' approximate
 * matching: the edit distance to the closest substring), when it is at most `max`; else
 * Infinity. Stops as soon as a whole row exceeds `max`, so comparing a text with many
 * candidates costs little for the far ones.
 */
export function substringDistanceWithin(needle: string, haystack: string, max: number): number {
  let previous = new Array<number>(haystack.length + 1).fill(0);
  for (let i = 1; i <= needle.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= haystack.length; j++) {
      const cost = needle[i - 1] === haystack[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current[j] = value;
      if (value < best) best = value;
    }
    if (best > max) return Number.POSITIVE_INFINITY;
    previous = current;
  }
  const distance = Math.min(...previous);
  return distance <= max ? distance : Number.POSITIVE_INFINITY;
}
