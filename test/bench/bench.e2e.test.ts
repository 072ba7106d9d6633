/**
 * Smoke test of the benchmarks: every benchmark runs end to end at the `tiny` scale (its
 * contenders in child processes, against the test API server), so the benchmark code
 * cannot rot. Nothing here looks at how fast anything was: only that every contender
 * produced a finite figure and every ratio was computed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BENCHMARKS } from '../../bench/run.ts';
import type { Section } from '../../bench/support/report.ts';
import { goalsText, sectionMarkdown, sectionText } from '../../bench/support/table.ts';
import { median, percentile } from '../../bench/support/stats.ts';
import { compareRuns, comparisonMarkdown, relativeSpread } from '../../bench/compare.ts';
import type { Results } from '../../bench/run.ts';

const quiet = { scale: 'tiny' as const, log: () => {} };

/** Every row has finite, positive samples; every ratio a finite value and, with a goal, a verdict. */
function assertWellFormed(sections: Section[], id: string): void {
  assert.ok(sections.length > 0, `${id} reported no section`);
  for (const section of sections) {
    assert.ok(section.rows.length > 0, `${section.id} has no rows`);
    for (const row of section.rows) {
      assert.ok(row.samples.length > 0, `${section.id}: ${row.label} has no samples`);
      for (const value of [...row.samples, row.median, row.min, row.max]) {
        assert.ok(Number.isFinite(value) && value >= 0, `${section.id}: ${row.label} has ${value}`);
      }
    }
    for (const ratio of section.ratios) {
      assert.ok(Number.isFinite(ratio.value) && ratio.value > 0, `${section.id}: ${ratio.label} = ${ratio.value}`);
      if (ratio.goal) assert.equal(typeof ratio.pass, 'boolean', `${section.id}: ${ratio.label} has a goal but no verdict`);
    }
    assert.match(sectionText(section), new RegExp(section.title.slice(0, 10).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.match(sectionMarkdown(section), /^### /);
  }
}

describe('benchmarks at the tiny scale', { concurrency: false }, () => {
  for (const benchmark of BENCHMARKS) {
    test(`${benchmark.id} runs every contender and reports every figure and ratio`, { timeout: 300_000 }, async () => {
      const sections = await benchmark.run(quiet);
      assertWellFormed(sections, benchmark.id);
      assert.equal(goalsText(sections).includes('NaN'), false);
    });
  }

  test('the runner runs every benchmark in the numbered order of docs/BENCHMARKS.md, then the fan-out, kcp and incremental rendering', () => {
    assert.deepEqual(BENCHMARKS.map((b) => b.id), ['sync', 'watch', 'on-demand', 'store', 'render', 'e2e', 'fanout', 'kcp', 'incremental']);
  });
});

describe('benchmark statistics', () => {
  test('the median of an even count is the mean of the two middle samples', () => {
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([5, 1, 3]), 3);
  });

  test('percentiles use the nearest rank, so p99 of 100 samples is the 99th smallest', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.equal(percentile(samples, 99), 99);
    assert.equal(percentile(samples, 50), 50);
    assert.equal(percentile(samples, 100), 100);
    assert.ok(Number.isNaN(percentile([], 50)));
  });
});

describe('comparing runs', () => {
  const run = (date: string, value: number, pass: boolean): Results => ({
    date, scale: 'full', nodeFlags: [], durationMs: 1,
    machine: { cpus: 2, cpuModel: 'x', memoryBytes: 1, node: 'v24', platform: 'linux', load: { start: 1 } },
    sections: [{ id: 'watch', title: 't', rows: [], notes: [], ratios: [{ label: 'informant ÷ floor', size: 10, value, goal: { op: '>=', target: 0.6 }, pass }] }],
  });

  test('ratios of several runs line up by benchmark, label and size, with each run\'s verdict', () => {
    const [row] = compareRuns([run('2026-01-01T00:00', 0.7, true), run('2026-01-02T00:00', 0.5, false)]);
    assert.deepEqual(row, { section: 'watch', label: 'informant ÷ floor', size: 10, goal: '≥ 0.6x', values: [0.7, 0.5], verdicts: [true, false] });
  });

  test('the spread is the range over the mean', () => {
    assert.ok(Math.abs(relativeSpread([0.5, 0.7]) - 1 / 3) < 1e-12);
    assert.equal(relativeSpread([2, 2, 2]), 0);
    assert.match(comparisonMarkdown([run('2026-01-01T00:00', 0.7, true), run('2026-01-02T00:00', 0.5, false)]), /\| 0\.70x \| 0\.50x \| 33 % \| ≥ 0\.6x \| PASS \/ MISS \|/);
  });
});
