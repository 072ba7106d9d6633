/**
 * Every error a template can raise names the file, the 1-based line and column of the
 * failing expression, and its message. Stock nunjucks 3.2.4 gets several of these wrong
 * (src/templates/nunjucks/compiler-patch.ts and error-patch.ts); each case here pins the
 * corrected position.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRenderer, FilterError, RenderError, ResourceError, TemplateFailure } from '../../../src/templates/index.ts';
import type { KubeObject } from '../../../src/k8s.ts';
import { MemoryStore } from '../../../src/store/memory-store.ts';
import { inlineError, renderError, sampleStores, TemplateDir } from '../fixtures.ts';

/** Template text from lines. */
const lines = (...text: string[]): string => text.join('\n');

/** The 1-based line and column of the only occurrence of `marker` in `text`. */
function positionOf(text: string, marker: string): { line: number; col: number } {
  const index = text.indexOf(marker);
  assert.ok(index >= 0 && text.indexOf(marker, index + 1) < 0, `"${marker}" must occur once`);
  const before = text.slice(0, index).split('\n');
  return { line: before.length, col: before.at(-1)!.length + 1 };
}

/** Asserts the error is at `marker` in `text` (file `file`) with `reason`. */
function assertAt(err: RenderError, file: string, text: string, marker: string, reason: string | RegExp): void {
  const { line, col } = positionOf(text, marker);
  assert.deepEqual({ file: err.file, line: err.line, col: err.col }, { file, line, col });
  if (typeof reason === 'string') assert.equal(err.reason, reason);
  else assert.match(err.reason, reason);
  assert.equal(err.message, `${file}:${line}:${col}: ${err.reason}`);
}

describe('error locations in a single template', () => {
  const FILE = '<inline:t>';

  test('outputting an undefined variable points at the expression and names it', async () => {
    const text = 'line 1\n  {{ missing }}\n';
    const err = await inlineError(text);
    assertAt(err, FILE, text, 'missing', 'missing is undefined (use "| default(...)" for optional values)');
  });

  test('outputting an undefined field names the whole path', async () => {
    const text = '{% for o in resources.ingresses %}\n{{ o.metadata.name }}: {{ o.spec.backend.name }}\n{% endfor %}';
    const err = await inlineError(text);
    const reason = 'o.spec.backend.name is undefined (use "| default(...)" for optional values)';
    assertAt(err, FILE, text, 'o.spec.backend', reason);
  });

  test('outputting null says null', async () => {
    const text = 'a\n{{ resources.services.GetSingle("x", "y") }}';
    const err = await inlineError(text);
    assertAt(err, FILE, text, 'resources.services', /^resources\.services\.GetSingle\("x", "y"\) is null/);
  });

  test('outputting an undefined conditional expression points at its start', async () => {
    const text = 'a\n  {{ missing.value if resources.ingresses | length > 1 else "none" }}';
    const err = await inlineError(text);
    assertAt(err, FILE, text, 'missing', 'the expression is undefined (use "| default(...)" for optional values)');
  });

  test('a function call that fails is reported on its own line (stock nunjucks says one line early)', async () => {
    const text = 'a\nb\n   {{ resources.ingresses.List().nope() }}';
    const err = await inlineError(text);
    assertAt(err, FILE, text, 'nope()', 'Unable to call `resources.ingresses.List().nope`, which is undefined or falsey');
  });

  test('calling a method on undefined points at the method name', async () => {
    const text = '{% set x = {} %}\n\n  {{ x.y.method() }}';
    const err = await inlineError(text);
    assertAt(err, FILE, text, 'method', 'Unable to call `x.y.method`, which is undefined or falsey');
  });

  test('an error thrown inside GetSingle points at GetSingle and keeps the ResourceError as cause', async () => {
    const text = lines(
      'first',
      '{% set one = resources.services.GetSingle("default", "api") %}',
      'x {{ resources.services.GetSingle("default") | to_json }}',
    );
    const err = await inlineError(text);
    assertAt(err, FILE, text, 'GetSingle("default")', /^resources\.services\.GetSingle\("default"\): 2 objects match/);
    assert.ok(err.cause instanceof ResourceError);
  });

  test('an error thrown inside Get points at Get', async () => {
    const text = '\n\n{% for s in resources.services.Get("a", "b", "c") %}{% endfor %}';
    const err = await inlineError(text);
    assertAt(err, FILE, text, 'Get(', /3 keys given, but services has 2 index keys$/);
  });

  test('an unknown resource points at its name', async () => {
    const text = 'a\n{{ resources.ingresses | length }}\n{% for s in resources.secrets %}{% endfor %}';
    const err = await inlineError(text);
    assertAt(err, FILE, text, 'secrets', /^unknown resource "secrets"/);
  });

  test('a filter error is reported at the filter (stock nunjucks gives no line)', async () => {
    const text = 'a\n  {{ 42 | b64decode }}';
    const err = await inlineError(text);
    assertAt(err, FILE, text, 'b64decode', 'b64decode: expected a string, got a number');
    assert.ok(err.cause instanceof FilterError);
  });

  test('a filter error after a call on an earlier line is reported at the filter (stock: the earlier line)', async () => {
    const text = lines(
      '{{ resources.ingresses.List() | length }}',
      '',
      '',
      '',
      ' {{ resources.ingresses.GetSingle("default", "web").metadata.name | regex_replace("(", "") }}',
    );
    const err = await inlineError(text);
    assertAt(err, FILE, text, 'regex_replace', /^regex_replace: the pattern is not a valid regular expression: /);
  });

  test('to_json of a circular object is reported at the filter', async () => {
    const stores = sampleStores();
    const loop: KubeObject = { metadata: { namespace: 'a', name: 'loop' } };
    loop.self = loop;
    const weird = new MemoryStore({ name: 'weird', keyCount: 2 });
    weird.add(loop, ['a', 'loop']);
    stores.set('weird', weird);
    const text = lines('{% for w in resources.weird %}', '{{ w.metadata.name }}: {{ w | to_json(2) }}', '{% endfor %}');
    const err = await inlineError(text, stores);
    assertAt(err, FILE, text, 'to_json', /^to_json: Converting circular structure to JSON/);
  });

  test('a filter failing on the result of a call is reported at the filter, not the call', async () => {
    const text = '{{ resources.services.GetSingle("default", "api") | b64decode }}';
    const err = await inlineError(text);
    assertAt(err, FILE, text, 'b64decode', 'b64decode: expected a string, got an object');
  });

  test('a call failing inside a filter argument is reported at the call', async () => {
    const text = '{{ "x" | regex_replace(resources.services.GetSingle("default"), "") }}';
    const err = await inlineError(text);
    assertAt(err, FILE, text, 'GetSingle', /2 objects match/);
  });

  test('an unknown filter is reported at its name', async () => {
    const text = 'a\n\n {{ 1 | no_such_filter }}';
    const err = await inlineError(text);
    assertAt(err, FILE, text, 'no_such_filter', 'filter not found: no_such_filter');
  });

  test('an unknown test is reported at its name', async () => {
    const text = 'a\n{% if 1 is no_such_test %}{% endif %}';
    const err = await inlineError(text);
    assertAt(err, FILE, text, 'no_such_test', 'test not found: no_such_test');
  });

  test('fail("msg") aborts with the message at the call', async () => {
    const text = lines(
      '{% for i in resources.ingresses %}',
      '{% if i.metadata.name == "shop" %}',
      '    {{ fail("shop has no backend") }}',
      '{% endif %}',
      '{% endfor %}',
    );
    const err = await inlineError(text);
    assertAt(err, FILE, text, 'fail(', 'shop has no backend');
    assert.ok(err.cause instanceof TemplateFailure);
  });

  test('an error inside a macro of the same template is reported in the macro body (stock: one line early)', async () => {
    const text = lines(
      '{% macro server(s) %}',
      '  server {{ s.metadata.name }}',
      '  {{ fail("bad " ~ s.metadata.name) }}',
      '{% endmacro %}',
      '{{ server(resources.services[0]) }}',
    );
    const err = await inlineError(text);
    assertAt(err, FILE, text, 'fail(', 'bad api');
  });

  test('an error inside a call block is reported in the block', async () => {
    const text = '{% macro wrap() %}[{{ caller() }}]{% endmacro %}\n{% call wrap() %}\n  {{ 1 | b64encode }}\n{% endcall %}';
    const err = await inlineError(text);
    assertAt(err, FILE, text, 'b64encode', 'b64encode: expected a string, got a number');
  });

  test('a syntax error fails createRenderer with file:line:col', async () => {
    const text = 'a\n{% if %}\n{% endif %}';
    const err = await inlineError(text);
    assert.deepEqual({ file: err.file, line: err.line, col: err.col }, { file: FILE, line: 2, col: 7 });
    assert.equal(err.message, '<inline:t>:2:7: unexpected token: %}');
    assert.equal(err.template, 't');
  });

  test('an unclosed tag fails createRenderer at the end of the file (stock nunjucks gives no position)', async () => {
    const err = await inlineError('a\nb\n{% for x in y %}\nbody\nlast');
    assert.equal(err.message, '<inline:t>:5:5: unexpected end of file');
  });

  test('an unclosed output tag fails createRenderer at the end of the file', async () => {
    const err = await inlineError('a\n{{ value');
    assert.equal(err.message, '<inline:t>:2:9: expected variable end');
  });

  test('a compile error without a position still names the file and keeps the original message', async () => {
    const err = await inlineError('{% block a %}{% endblock %}\n{% block a %}{% endblock %}');
    assert.equal(err.message, '<inline:t>: Block "a" defined more than once.');
    assert.equal(err.line, undefined);
  });
});

describe('error locations across files', () => {
  let dir: TemplateDir;
  before(async () => {
    dir = await TemplateDir.create();
  });
  after(async () => {
    await dir.cleanup();
  });

  test('an error inside an included file names that file and its line', async () => {
    const partial = 'partial line 1\n{% for s in resources.services %}\n  {{ s.spec.nope }}\n{% endfor %}\n';
    const err = await renderError(dir, {
      'inc/main.njk': 'main line 1\nmain line 2\n{% include "partial.njk" %}\n',
      'inc/partial.njk': partial,
    }, { main: 'inc/main.njk' });
    assertAt(err, dir.path('inc/partial.njk'), partial, 's.spec.nope', /^s\.spec\.nope is undefined/);
    assert.equal(err.template, 'inc/main.njk');
  });

  test('an error inside a file included by an included file names the innermost file', async () => {
    const deepest = '\n\n{{ fail("deep") }}';
    const err = await renderError(dir, {
      'nest/main.njk': '{% include "a.njk" %}',
      'nest/a.njk': 'a\n{% include "./b.njk" %}',
      'nest/b.njk': deepest,
    }, { main: 'nest/main.njk' });
    assertAt(err, dir.path('nest/b.njk'), deepest, 'fail(', 'deep');
  });

  test('an error inside a macro imported with "import" names the macro file and line', async () => {
    const macros = lines(
      '{# helpers #}',
      '{% macro backend(s) %}',
      'backend {{ s.metadata.name }}',
      '  server {{ s.spec.ports[0].port | b64decode }}',
      '{% endmacro %}',
    );
    const err = await renderError(dir, {
      'imp/main.njk': lines('{% import "macros.njk" as m %}', '', '{% for s in resources.services %}', '{{ m.backend(s) }}', '{% endfor %}'),
      'imp/macros.njk': macros,
    }, { main: 'imp/main.njk' });
    assertAt(err, dir.path('imp/macros.njk'), macros, 'b64decode', 'b64decode: expected a string, got a number');
  });

  test('an error inside a macro imported with "from ... import" names the macro file and line', async () => {
    const macros = '{% macro host(i) %}\n{{ i.spec.tls.secretName }}\n{% endmacro %}\n';
    const err = await renderError(dir, {
      'from/main.njk': '{% from "macros.njk" import host %}\n{{ host(resources.ingresses[0]) }}\n',
      'from/macros.njk': macros,
    }, { main: 'from/main.njk' });
    assertAt(err, dir.path('from/macros.njk'), macros, 'i.spec.tls', /^i\.spec\.tls\.secretName is undefined/);
  });

  test('an error after an import is reported in the importing file, not the imported one', async () => {
    const main = '{% import "macros.njk" as m %}\n{{ m.ok() }}\n  {{ fail("after import") }}\n';
    const err = await renderError(dir, {
      'after-import/main.njk': main,
      'after-import/macros.njk': '{% macro ok() %}\nok\n{% endmacro %}\n',
    }, { main: 'after-import/main.njk' });
    assertAt(err, dir.path('after-import/main.njk'), main, 'fail(', 'after import');
  });

  test('an error after an include is reported in the including file, not the included one', async () => {
    const main = 'x\n{% include "part.njk" %}\n{{ 5 | b64decode }}\n';
    const err = await renderError(dir, {
      'after-include/main.njk': main,
      'after-include/part.njk': 'part\n{{ resources.ingresses | length }}\n',
    }, { main: 'after-include/main.njk' });
    assertAt(err, dir.path('after-include/main.njk'), main, 'b64decode', 'b64decode: expected a string, got a number');
  });

  test('an error in a parent template after a block is reported in the parent', async () => {
    const base = 'header\n{% block body %}{% endblock %}\n{{ resources.nope }}\n';
    const err = await renderError(dir, {
      'ext-parent/child.njk': '{% extends "base.njk" %}\n{% block body %}fine{% endblock %}\n',
      'ext-parent/base.njk': base,
    }, { main: 'ext-parent/child.njk' });
    assertAt(err, dir.path('ext-parent/base.njk'), base, 'nope', /^unknown resource "nope"/);
  });

  test('an include whose name is computed and missing fails at render time at the include tag', async () => {
    const main = '{% set part = "miss" ~ "ing.njk" %}\n\n   {% include part %}\n';
    const err = await renderError(dir, { 'dyn/main.njk': main }, { main: 'dyn/main.njk' });
    assertAt(err, dir.path('dyn/main.njk'), main, 'include', 'template not found: missing.njk');
  });

  test('an error in a block of a template that extends another names the child file', async () => {
    const child = '{% extends "base.njk" %}\n{% block body %}\n  {{ resources.nope }}\n{% endblock %}\n';
    const err = await renderError(dir, {
      'ext/base.njk': 'header\n{% block body %}{% endblock %}\nfooter\n',
      'ext/child.njk': child,
    }, { main: 'ext/child.njk' });
    assertAt(err, dir.path('ext/child.njk'), child, 'nope', /^unknown resource "nope"/);
  });

  test('a syntax error in an included file fails createRenderer naming the included file', async () => {
    await dir.write({ 'syn/main.njk': 'ok\n{% include "broken.njk" %}\n', 'syn/broken.njk': 'fine\nfine\n{{ a b }}\n' });
    assert.throws(
      () => createRenderer({ templates: [dir.fileTemplate('syn/main.njk')], stores: sampleStores() }),
      (err: unknown) => {
        assert.ok(err instanceof RenderError);
        assert.equal(err.file, dir.path('syn/broken.njk'));
        assert.equal(err.line, 3);
        assert.equal(err.template, 'syn/main.njk');
        return true;
      },
    );
  });

  test('a missing included file fails createRenderer at the include tag', async () => {
    const main = 'a\nb\n  {% include "missing.njk" %}\n';
    await dir.write({ 'miss/main.njk': main });
    assert.throws(
      () => createRenderer({ templates: [dir.fileTemplate('miss/main.njk')], stores: sampleStores() }),
      (err: unknown) => {
        assert.ok(err instanceof RenderError);
        assertAt(err, dir.path('miss/main.njk'), main, 'include', 'template not found: missing.njk');
        return true;
      },
    );
  });
});
