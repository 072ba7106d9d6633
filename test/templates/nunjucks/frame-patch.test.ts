import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnvironment } from '../../../src/templates/environment.ts';

function render(source: string, context: Record<string, unknown> = {}): string {
  return createEnvironment([]).renderString(source, context);
}

describe('Frame.set fast path', () => {
  test('a set inside a loop updates the variable of the enclosing scope, as stock nunjucks does', () => {
    const source = '{% set total = 0 %}{% for i in [1, 2, 3] %}{% set total = total + i %}{% endfor %}{{ total }}';
    assert.equal(render(source), '6');
  });

  test('a variable first set inside a loop stays inside it', () => {
    const source = '{% for i in [1, 2] %}{% set inner = i %}{% endfor %}{{ "set" if inner is defined else "unset" }}';
    assert.equal(render(source), 'unset');
  });

  test('loop variables (dotted names) and macro arguments still work', () => {
    const source = '{% macro m(x) %}{% set y = x * 2 %}{{ y }}{% endmacro %}{% for i in ["a", "b"] %}{{ loop.index }}{{ i }}{{ m(loop.index) }}{% endfor %}';
    assert.equal(render(source), '1a22b4');
  });
});
