/**
 * A unified line diff (the `diff -u` format) of a golden file and a rendered output, so a
 * template author sees exactly which lines changed. Lines are compared with their line
 * ending; a last line without one is marked "\ No newline at end of file", as GNU diff does.
 * The edit script is Myers' O((N+M)·D) shortest one, after the common head and tail are
 * set aside, so a small change to a large output costs little.
 */

export const DEFAULTS = Object.freeze({
  /** Unchanged lines shown around each change (lines), as `diff -u` shows. */
  context: 3,
  /**
   * Most edits the shortest-script search looks for (lines). Memory grows with its square
   * (2000 → about 16 MB); beyond it, the differing middle is shown as removed, then added.
   */
  maxEdits: 2000,
});

/** One line of an edit script: kept (" "), removed ("-") or added ("+"), with its line ending. */
export interface LineEdit {
  op: ' ' | '-' | '+';
  line: string;
}

/** How unifiedDiff labels and shapes its output. */
export interface DiffOptions {
  /** The `---` header: what `from` is (e.g. the golden file's path). */
  fromLabel: string;
  /** The `+++` header: what `to` is. */
  toLabel: string;
  /** Default DEFAULTS.context. */
  context?: number;
  /** Default DEFAULTS.maxEdits. */
  maxEdits?: number;
}

/** The unified diff turning `from` into `to`, ending in a newline; "" when they are equal. */
export function unifiedDiff(from: string, to: string, options: DiffOptions): string {
  if (from === to) return '';
  const edits = diffLines(splitLines(from), splitLines(to), options.maxEdits ?? DEFAULTS.maxEdits);
  const out = [`--- ${options.fromLabel}`, `+++ ${options.toLabel}`];
  for (const hunk of hunks(edits, options.context ?? DEFAULTS.context)) out.push(...formatHunk(hunk));
  return `${out.join('\n')}\n`;
}

/** The lines of `text`, each with its "\n" (the last one may have none); [] for "". */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/**
 * A shortest edit script from `a` to `b` (when it needs at most `maxEdits` edits; a longer
 * one otherwise). Removals come before additions where both are possible.
 */
export function diffLines(a: readonly string[], b: readonly string[], maxEdits: number = DEFAULTS.maxEdits): LineEdit[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const keep = (lines: readonly string[]): LineEdit[] => lines.map((line) => ({ op: ' ', line }));
  const middleA = a.slice(head, a.length - tail);
  const middleB = b.slice(head, b.length - tail);
  const middle = myers(middleA, middleB, maxEdits) ?? [
    ...middleA.map((line): LineEdit => ({ op: '-', line })),
    ...middleB.map((line): LineEdit => ({ op: '+', line })),
  ];
  return [...keep(a.slice(0, head)), ...middle, ...keep(a.slice(a.length - tail))];
}

/**
 * Myers' greedy search over diagonals k = x - y. `trace[d]` keeps the furthest x on each
 * diagonal reached with d - 1 edits (indices k + d + 1), for walking the path back.
 */
function myers(a: readonly string[], b: readonly string[], maxEdits: number): LineEdit[] | undefined {
  const n = a.length;
  const m = b.length;
  const offset = n + m + 1;
  const v = new Int32Array(2 * offset + 1);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= Math.min(n + m, maxEdits); d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!);
      let x = down ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, a, b);
    }
  }
  return undefined;
}

function backtrack(trace: readonly Int32Array[], a: readonly string[], b: readonly string[]): LineEdit[] {
  const edits: LineEdit[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const before = trace[d]!;
    const at = (k: number): number => before[k + d + 1]!;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      edits.push({ op: ' ', line: a[--x]! });
      y--;
    }
    if (d > 0) edits.push(down ? { op: '+', line: b[--y]! } : { op: '-', line: a[--x]! });
    x = prevX;
    y = prevY;
  }
  return edits.reverse();
}

/** A run of edits shown together, and where it starts in each file (0-based). */
interface Hunk {
  edits: LineEdit[];
  fromStart: number;
  toStart: number;
}

/** Groups changes with `context` kept lines around them; changes closer than 2·context share a hunk. */
function hunks(edits: readonly LineEdit[], context: number): Hunk[] {
  const changed = edits.flatMap((edit, i) => (edit.op === ' ' ? [] : [i]));
  const result: Hunk[] = [];
  let i = 0;
  while (i < changed.length) {
    let last = changed[i]!;
    let j = i + 1;
    while (j < changed.length && changed[j]! - last <= 2 * context + 1) last = changed[j++]!;
    const start = Math.max(0, changed[i]! - context);
    const end = Math.min(edits.length, last + context + 1);
    const before = edits.slice(0, start);
    result.push({
      edits: edits.slice(start, end),
      fromStart: before.filter((e) => e.op !== '+').length,
      toStart: before.filter((e) => e.op !== '-').length,
    });
    i = j;
  }
  return result;
}

function formatHunk(hunk: Hunk): string[] {
  const fromCount = hunk.edits.filter((e) => e.op !== '+').length;
  const toCount = hunk.edits.filter((e) => e.op !== '-').length;
  const lines = [`@@ -${range(hunk.fromStart, fromCount)} +${range(hunk.toStart, toCount)} @@`];
  for (const edit of hunk.edits) {
    const text = edit.line.endsWith('\n') ? edit.line.slice(0, -1) : edit.line;
    lines.push(`${edit.op}${text}`);
    if (!edit.line.endsWith('\n')) lines.push('\\ No newline at end of file');
  }
  return lines;
}

/** `start,count` as diff -u writes it: 1-based; the count left out when 1; the line before when empty. */
function range(start: number, count: number): string {
  if (count === 0) return `${start},0`;
  return count === 1 ? `${start + 1}` : `${start + 1},${count}`;
}
