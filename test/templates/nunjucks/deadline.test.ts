import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RenderError } from '../../../src/templates/index.ts';
import { boundedRange } from '../../../src/templates/nunjucks/index.ts';
import { inlineRenderer } from '../fixtures.ts';

describe('the render deadline', () => {
  test('stops nested loops that run past the timeout, at the loop, with a located error', async () => {
    const text = 'start\n{% for i in range(0, 100000) %}{% for j in range(0, 100000) %}{{ i }}{% endfor %}{% endfor %}';
    const renderer = inlineRenderer({ busy: text }, { timeoutMs: 50 });
    await assert.rejects(renderer.render('busy'), (err: unknown) => {
      assert.ok(err instanceof RenderError);
      assert.match(err.message, /^<inline:busy>:2:\d+: the render took longer than render\.timeout \(0\.05 s\) and was stopped here$/);
      return true;
    });
  });

  test('stops runaway recursion through macros', async () => {
    const text = '{% macro twice(n) %}{% if n > 0 %}{{ twice(n - 1) }}{{ twice(n - 1) }}{% endif %}{% endmacro %}{{ twice(40) }}';
    const renderer = inlineRenderer({ recursive: text }, { timeoutMs: 50 });
    await assert.rejects(renderer.render('recursive'), /the render took longer than render\.timeout/);
  });

  test('leaves renders within the timeout alone, and the next render of a stopped template starts afresh', async () => {
    const renderer = inlineRenderer({ quick: '{% for i in range(3) %}{{ loop.index }}{% endfor %}' }, { timeoutMs: 10_000 });
    assert.equal(await renderer.render('quick'), '123');
    assert.equal(await renderer.render('quick'), '123');
  });

  test('range() builds at most a million numbers and keeps nunjucks semantics', () => {
    assert.deepEqual(boundedRange(3), [0, 1, 2]);
    assert.deepEqual(boundedRange(2, 5), [2, 3, 4]);
    assert.deepEqual(boundedRange(10, 0, -3), [10, 7, 4, 1]);
    assert.deepEqual(boundedRange(5, 2), []);
    assert.throws(() => boundedRange(0, 1e9), /range\(\) would produce 1000000000 numbers; at most 1000000 are allowed/);
  });
});
