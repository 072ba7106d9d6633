import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { createReporter, type ReporterName, type TestResult, type TestRunSummary } from '../../src/template-tests/index.ts';
import { xmlProblems } from './xml-check.ts';

const PASSED: TestResult = { name: 'plain', passed: true, failures: [], notes: ['created golden file golden/a.txt (list)'], durationMs: 12.4 };

const FAILED: TestResult = {
  name: `odd <name> & "quotes" # 'x' \\ done`,
  description: 'Shows what & how < things fail.',
  position: { file: 'tests/a&b.yaml', line: 7, col: 3 },
  passed: false,
  failures: [
    {
      template: 'haproxy.cfg',
      assertion: 'equals',
      message: 'the output differs from the golden file golden/<x>.cfg',
      diff: '--- golden/<x>.cfg\n+++ haproxy.cfg (rendered)\n@@ -1 +1 @@\n-a & b\n+a && b \u0001 ]]>\n',
    },
    {
      template: 'crt-list.txt',
      assertion: 'render',
      message: 'the render failed: crt.njk:2:4: boom',
      source: { file: '/t/crt.njk', line: 2, col: 4, text: '{{ fail("boom") }}' },
    },
    { assertion: 'fixtures', message: 'remove: the manifests hold no Secret a/b' },
  ],
  notes: [],
  durationMs: 30,
};

const SUMMARY: TestRunSummary = { results: [PASSED, FAILED], passed: 1, failed: 1, durationMs: 42.5 };

/** Runs a reporter over SUMMARY and returns what it wrote to out and err. */
function report(name: ReporterName, summary: TestRunSummary = SUMMARY): { out: string; err: string } {
  let out = '';
  let err = '';
  const reporter = createReporter(name, { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) }, suiteName: 'config.yaml' });
  reporter.begin(summary.results.length);
  for (const result of summary.results) reporter.result(result);
  reporter.end(summary);
  return { out, err };
}

/**
 * Checks `text` against TAP 14: version line, plan, consecutive test points, YAML blocks
 * (two-space indented between --- and ...) that parse, comments; returns the test points
 * and the parsed blocks.
 */
function parseTap(text: string): { points: Array<{ ok: boolean; description: string }>; blocks: unknown[] } {
  const lines = text.replace(/\n$/, '').split('\n');
  assert.equal(lines[0], 'TAP version 14');
  const plan = /^1\.\.(\d+)$/.exec(lines[1] ?? '');
  assert.ok(plan, `a plan on the second line, got ${lines[1]}`);
  const points: Array<{ ok: boolean; description: string }> = [];
  const blocks: unknown[] = [];
  for (let i = 2; i < lines.length; i++) {
    const line = lines[i]!;
    const point = /^(not )?ok (\d+) - (.*)$/.exec(line);
    if (point) {
      assert.equal(Number(point[2]), points.length + 1, 'test points are numbered in order');
      points.push({ ok: point[1] === undefined, description: point[3]! });
    } else if (line === '  ---') {
      assert.ok(points.length > 0, 'a YAML block follows a test point');
      const end = lines.indexOf('  ...', i);
      assert.ok(end > i, 'the YAML block ends with "  ..."');
      const body = lines.slice(i + 1, end);
      assert.ok(body.every((l) => l === '' || l.startsWith('  ')), 'the YAML block is indented by two spaces');
      blocks.push(parseYaml(body.map((l) => l.slice(2)).join('\n')));
      i = end;
    } else {
      assert.match(line, /^#( |$)/, `only test points, YAML blocks and comments: ${JSON.stringify(line)}`);
    }
  }
  assert.equal(points.length, Number(plan[1]), 'as many test points as planned');
  return { points, blocks };
}

describe('the pretty reporter', () => {
  test('prints PASS or FAIL per test, what failed under it, and ends with the summary line', () => {
    const { out, err } = report('pretty');
    assert.equal(err, '');
    const lines = out.replace(/\n$/, '').split('\n');
    assert.equal(lines.at(-1), '1 passed, 1 failed');
    assert.equal(lines[0], 'PASS  plain (12 ms)');
    assert.equal(lines[1], '      created golden file golden/a.txt (list)');
    assert.equal(lines[2], `FAIL  ${FAILED.name} (30 ms)`);
    assert.deepEqual(lines.slice(3, 15), [
      '      defined at tests/a&b.yaml:7:3',
      '      haproxy.cfg › equals: the output differs from the golden file golden/<x>.cfg',
      '        --- golden/<x>.cfg',
      '        +++ haproxy.cfg (rendered)',
      '        @@ -1 +1 @@',
      '        -a & b',
      '        +a && b \u0001 ]]>',
      '      crt-list.txt › render: the render failed: crt.njk:2:4: boom',
      '        2 | {{ fail("boom") }}',
      '          |    ^',
      '      fixtures: remove: the manifests hold no Secret a/b',
      '1 passed, 1 failed',
    ]);
  });
});

describe('the closest part of the output', () => {
  const closest = { title: 'closest match (2 characters differ):', start: 4, lines: ['backend web', '  server a 10.0.0.1:8080'], marked: { from: 5, to: 5 } };
  const result: TestResult = { name: 'near', passed: false, failures: [{ template: 'haproxy.cfg', assertion: 'contains', message: 'the output does not contain "x"', closest }], notes: [], durationMs: 1 };
  const summary: TestRunSummary = { results: [result], passed: 0, failed: 1, durationMs: 1 };

  test('shows under a failing contains in the pretty report, the closest line marked', () => {
    const lines = report('pretty', summary).out.split('\n');
    assert.deepEqual(lines.slice(1, 5), ['      haproxy.cfg › contains: the output does not contain "x"', '        closest match (2 characters differ):', '          4 | backend web', '        > 5 |   server a 10.0.0.1:8080']);
  });

  test('is a field of the failure in the TAP block', () => {
    const { blocks } = parseTap(report('tap', summary).out);
    const failure = (blocks[0] as { failures: Array<Record<string, string>> }).failures[0];
    assert.equal(failure?.closest, 'closest match (2 characters differ):\n  4 | backend web\n> 5 |   server a 10.0.0.1:8080\n');
  });
});

describe('the tap reporter', () => {
  test('writes valid TAP 14 with a YAML block per failing test and the summary on stderr', () => {
    const { out, err } = report('tap');
    assert.equal(err, '1 passed, 1 failed\n');
    const { points, blocks } = parseTap(out);
    assert.deepEqual(points, [
      { ok: true, description: 'plain' },
      { ok: false, description: `odd <name> & "quotes" \\# 'x' \\\\ done` },
    ]);
    assert.deepEqual(blocks, [
      {
        description: 'Shows what & how < things fail.',
        at: 'tests/a&b.yaml:7:3',
        duration_ms: 30,
        failures: [
          { template: 'haproxy.cfg', assertion: 'equals', message: FAILED.failures[0]!.message, diff: FAILED.failures[0]!.diff },
          { template: 'crt-list.txt', assertion: 'render', message: 'the render failed: crt.njk:2:4: boom', source: '2 | {{ fail("boom") }}\n  |    ^\n' },
          { assertion: 'fixtures', message: 'remove: the manifests hold no Secret a/b' },
        ],
      },
    ]);
    assert.match(out, /^# created golden file golden\/a\.txt \(list\)$/m);
    assert.match(out, /^# 1 passed, 1 failed\n$/m);
  });

  test('writes an empty plan when no test runs', () => {
    const { out } = report('tap', { results: [], passed: 0, failed: 0, durationMs: 0 });
    assert.deepEqual(parseTap(out).points, []);
    assert.equal(out, 'TAP version 14\n1..0\n# 0 passed, 0 failed\n');
  });
});

describe('the junit reporter', () => {
  test('writes well-formed XML with counts, escaped names and messages, and the summary on stderr', () => {
    const { out, err } = report('junit');
    assert.equal(err, '1 passed, 1 failed\n');
    assert.deepEqual(xmlProblems(out), []);
    assert.match(out, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="informant test" tests="2" failures="1" errors="0" time="0\.043">/);
    assert.match(out, /<testsuite name="config\.yaml" tests="2" failures="1" errors="0" skipped="0" time="0\.043">/);
    assert.match(out, /<testcase name="plain" classname="config\.yaml" time="0\.012">\n {6}<system-out>created golden file golden\/a\.txt \(list\)<\/system-out>/);
    assert.match(out, /<testcase name="odd &lt;name&gt; &amp; &quot;quotes&quot; # &apos;x&apos; \\ done" classname="config\.yaml" time="0\.030" file="tests\/a&amp;b\.yaml" line="7">/);
    assert.match(out, /<failure message="haproxy\.cfg › equals: the output differs from the golden file golden\/&lt;x&gt;\.cfg" type="equals">/);
    assert.match(out, /\+a &amp;&amp; b \uFFFD \]\]&gt;\n/, 'text is escaped and a control character replaced');
  });

  test('is well-formed for a run without tests', () => {
    assert.deepEqual(xmlProblems(report('junit', { results: [], passed: 0, failed: 0, durationMs: 0 }).out), []);
  });
});

describe('the XML checker the junit tests rely on', () => {
  const broken: Array<[string, string]> = [
    ['mismatched tags', '<a><b></a></b>'],
    ['an unclosed element', '<a><b></b>'],
    ['a bare ampersand', '<a>x & y</a>'],
    ['an unknown entity', '<a>&nbsp;</a>'],
    ['an unquoted attribute', '<a b=c/>'],
    ['a "<" in an attribute', '<a b="<"/>'],
    ['a repeated attribute', '<a b="1" b="2"/>'],
    ['two roots', '<a/><b/>'],
    ['text after the root', '<a/>x'],
    ['a control character', '<a>\u0001</a>'],
    ['"]]>" in text', '<a>]]></a>'],
  ];
  for (const [what, xml] of broken) {
    test(`rejects ${what}`, () => {
      assert.notDeepEqual(xmlProblems(xml), []);
    });
  }

  test('accepts a document with a declaration, comments, references and CDATA', () => {
    assert.deepEqual(xmlProblems('<?xml version="1.0"?>\n<!-- c -->\n<a x=\'1\' y="&amp;&#10;"><b/>t &lt; &#x41;<![CDATA[<raw>]]></a>\n'), []);
  });
});
