/**
 * The one order of plain strings: by UTF-16 code units, as `<` compares them (not by
 * locale), so sorted output is the same on every machine.
 */

/** Negative when `a` sorts before `b`, positive after, 0 when equal (for Array.prototype.sort). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
