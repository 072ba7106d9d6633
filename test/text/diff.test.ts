import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { splitLines, unifiedDiff } from '../../src/text/diff.ts';

const LABELS = { fromLabel: 'golden.cfg', toLabel: 'out.cfg' };

/** Applies a unified diff to `text` the way patch(1) does, checking every context and removed line. */
function applyDiff(text: string, diff: string): string {
  if (diff === '') return text;
  const original = splitLines(text);
  const lines = diff.replace(/\n$/, '').split('\n');
  assert.equal(lines[0], `--- ${LABELS.fromLabel}`);
  assert.equal(lines[1], `+++ ${LABELS.toLabel}`);
  const out: string[] = [];
  let at = 0;
  let last: { list: 'out' | 'skip'; index: number } | undefined;
  for (const line of lines.slice(2)) {
    const header = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$/.exec(line);
    if (header) {
      const start = Number(header[1]);
      const count = header[2] === undefined ? 1 : Number(header[2]);
      const from = count === 0 ? start : start - 1;
      while (at < from) out.push(original[at++]!);
      continue;
    }
    if (line === '\\ No newline at end of file') {
      assert.ok(last, 'a no-newline marker follows a line');
      if (last.list === 'out') out[last.index] = out[last.index]!.replace(/\n$/, '');
      continue;
    }
    const op = line[0];
    const body = `${line.slice(1)}\n`;
    if (op === '+') {
      out.push(body);
      last = { list: 'out', index: out.length - 1 };
      continue;
    }
    const expected = original[at++];
    assert.equal(expected?.replace(/\n?$/, '\n'), body, `line ${at} of the original`);
    if (op === ' ') {
      out.push(expected!);
      last = { list: 'out', index: out.length - 1 };
    } else {
      assert.equal(op, '-');
      last = { list: 'skip', index: -1 };
    }
  }
  while (at < original.length) out.push(original[at++]!);
  return out.join('');
}

/** A deterministic pseudo-random generator (LCG), so failures reproduce. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function randomText(next: () => number): string {
  const count = Math.floor(next() * 30);
  let text = '';
  for (let i = 0; i < count; i++) text += `${'abcdef'[Math.floor(next() * 6)]}\n`;
  return next() < 0.2 ? `${text}tail` : text;
}

describe('unifiedDiff', () => {
  test('is empty for equal texts', () => {
    assert.equal(unifiedDiff('a\nb\n', 'a\nb\n', LABELS), '');
  });

  test('shows a changed line with three lines of context, as diff -u does', () => {
    const from = 'a\nb\nc\nd\ne\nf\ng\nh\ni\n';
    const to = 'a\nb\nc\nd\nE\nf\ng\nh\ni\n';
    assert.equal(
      unifiedDiff(from, to, LABELS),
      ['--- golden.cfg', '+++ out.cfg', '@@ -2,7 +2,7 @@', ' b', ' c', ' d', '-e', '+E', ' f', ' g', ' h', ''].join('\n'),
    );
  });

  test('writes a range with its count, and an empty range as the line before it', () => {
    assert.equal(unifiedDiff('a\nb\nc\n', 'a\nB\nc\n', { ...LABELS, context: 0 }), '--- golden.cfg\n+++ out.cfg\n@@ -2,1 +2,1 @@\n-b\n+B\n');
    assert.equal(unifiedDiff('', 'x\ny\n', LABELS), '--- golden.cfg\n+++ out.cfg\n@@ -0,0 +1,2 @@\n+x\n+y\n');
    assert.equal(unifiedDiff('x\ny\n', '', LABELS), '--- golden.cfg\n+++ out.cfg\n@@ -1,2 +0,0 @@\n-x\n-y\n');
  });

  test('marks a last line without a newline', () => {
    assert.equal(
      unifiedDiff('a\nb\n', 'a\nb', LABELS),
      '--- golden.cfg\n+++ out.cfg\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n',
    );
  });

  test('keeps changes far apart in separate hunks and joins those at most six lines apart', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}\n`);
    const far = [...lines];
    far[2] = 'changed 3\n';
    far[20] = 'changed 21\n';
    const farDiff = unifiedDiff(lines.join(''), far.join(''), LABELS);
    assert.deepEqual(farDiff.match(/^@@ .* @@$/gm), ['@@ -1,6 +1,6 @@', '@@ -18,7 +18,7 @@']);
    const near = [...lines];
    near[2] = 'changed 3\n';
    near[9] = 'changed 10\n';
    assert.deepEqual(unifiedDiff(lines.join(''), near.join(''), LABELS).match(/^@@ .* @@$/gm), ['@@ -1,13 +1,13 @@']);
  });

  test('turns the one text into the other, on random texts', () => {
    const next = random(20251123);
    for (let round = 0; round < 400; round++) {
      const from = randomText(next);
      const to = next() < 0.5 ? randomText(next) : from.replace(/[a-f]\n/, 'z\n');
      const diff = unifiedDiff(from, to, LABELS);
      assert.equal(applyDiff(from, diff), to, `round ${round}: ${JSON.stringify({ from, to })}`);
    }
  });

  test('shows the first differing lines when the texts differ in more lines than the search looks for', () => {
    const from = 'same\na\nb\nc\nd\ne\nf\ng\n';
    const to = 'same\nA\nB\nC\nD\nE\nF\nG\n';
    assert.equal(
      unifiedDiff(from, to, { ...LABELS, maxEdits: 2 }),
      [
        '--- golden.cfg',
        '+++ out.cfg',
        '(the texts differ in more than 2 lines, too many for a diff; the first difference is at line 2)',
        '-a', '-b', '-c', '-d', '-e',
        '+A', '+B', '+C', '+D', '+E',
        '',
      ].join('\n'),
    );
  });
});
