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
