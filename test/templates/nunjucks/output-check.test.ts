/**
 * The output check: every value printed with {{ }} goes through the function set with
 * setOutputCheck, with its file and the position where the expression starts; literals
 * and template text do not.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createEnvironment } from '../../../src/templates/environment.ts';
import { isSafeString, setOutputCheck } from '../../../src/templates/nunjucks/index.ts';
import { TemplateDir } from '../fixtures.ts';

const dirs: TemplateDir[] = [];
after(async () => {
  for (const dir of dirs) await dir.cleanup();
});

/** Renders `main` of `files` with a check that records every call and prints values upper-cased. */
async function checked(files: Record<string, string>, context: Record<string, unknown> = {}) {
  const dir = await TemplateDir.create();
  dirs.push(dir);
  await dir.write(files);
  const env = createEnvironment([dir.dir]);
  const seen: Array<{ value: unknown; file: string; line: number; col: number; safe: boolean }> = [];
  const previous = setOutputCheck((value, file, line, col) => {
    seen.push({ value: String(value), file: file.slice(dir.dir.length + 1), line, col, safe: isSafeString(value) });
    return typeof value === 'string' ? value.toUpperCase() : value;
  });
  try {
    return { output: env.getTemplate('main.njk', true).render(context), seen };
  } finally {
    setOutputCheck(previous);
  }
}

describe('the output check', () => {
  test('sees every printed value with its file, line and column, and prints what it returns', async () => {
    const { output, seen } = await checked({ 'main.njk': 'a {{ x }}\n  {{ "lit" }} {{ x ~ "!" }}{{ n }}' }, { x: 'v', n: 3 });
    assert.equal(output, 'a V\n  lit V!3');
    assert.deepEqual(seen, [
      { value: 'v', file: 'main.njk', line: 1, col: 6, safe: false },
      { value: 'v!', file: 'main.njk', line: 2, col: 18, safe: false },
      { value: '3', file: 'main.njk', line: 2, col: 31, safe: false },
    ]);
  });

  test('names the included or imported file a value is printed in, and sees macro output as safe', async () => {
    const { output, seen } = await checked(
      {
        'main.njk': '{% import "m.njk" as m %}{% include "inc.njk" %};\n{{ m.shout(x) }}',
        'inc.njk': 'inc {{ x }}',
        'm.njk': '{% macro shout(y) %}\n[{{ y }}]{% endmacro %}',
      },
      { x: 'v' },
    );
    assert.equal(output, 'inc V;\n[V]');
    assert.deepEqual(seen, [
      { value: 'v', file: 'inc.njk', line: 1, col: 8, safe: false },
      { value: 'v', file: 'm.njk', line: 2, col: 5, safe: false },
      { value: '[V]', file: 'main.njk', line: 2, col: 4, safe: true },
    ]);
  });

  test('is off unless set: values print unchanged', async () => {
    const dir = await TemplateDir.create();
    dirs.push(dir);
    await dir.write({ 'main.njk': '{{ x }}' });
    assert.equal(createEnvironment([dir.dir]).getTemplate('main.njk', true).render({ x: 'a\nb' }), 'a\nb');
  });
});
