import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { checkTemplates, createRenderer, RenderError } from '../../src/templates/index.ts';
import { captureLogger } from '../support/log-capture.ts';
import { inlineRenderer, renderFiles, renderInline, sampleStores, TemplateDir } from './fixtures.ts';

describe('the nunjucks environment', () => {
  test('does not escape output: <, &, quotes stay as they are', async () => {
    assert.equal(await renderInline('{{ "<a href=\\"x\\"> && \'y\'" }}'), '<a href="x"> && \'y\'');
  });

  test('a line holding only a block tag leaves no line and no indentation behind', async () => {
    const text = [
      'backends:',
      '  {% for s in resources.services %}',
      '  - {{ s.metadata.namespace }}/{{ s.metadata.name }}',
      '  {% endfor %}',
      'end',
      '',
    ].join('\n');
    assert.equal(await renderInline(text), 'backends:\n  - default/api\n  - default/web\n  - prod/web\nend\n');
  });

  test('an optional field renders through default()', async () => {
    assert.equal(await renderInline('{{ resources.ingresses[0].spec.tls | default("no tls") }}'), 'no tls');
  });

  test('loops, conditionals, set and built-in filters still work with the error-location patch', async () => {
    const text =
      '{% set total = 0 %}{% for s in resources.services %}{% if s.metadata.namespace is equalto("default") %}' +
      '{{ loop.index }}:{{ s.metadata.name | upper }}:{{ s.spec.ports | first | dump }};{% endif %}{% endfor %}' +
      '{{ [3, 1, 2] | sort | join(",") }} {{ "a" if resources.services | length > 2 else "b" }} {{ range(3) | join }}';
    assert.equal(await renderInline(text), '1:API:{"port":9000};2:WEB:{"port":80};1,2,3 a 012');
  });

  test('renders from the stores as they are at the time of the call', async () => {
    const stores = sampleStores();
    const renderer = createRenderer({
      templates: [{ name: 't', inline: '{{ resources.ingresses | length }}', output: '/x', mode: 0o644 }],
      stores,
    });
    assert.equal(await renderer.render('t'), '3');
    stores.get('ingresses')!.delete({ metadata: { namespace: 'prod', name: 'shop' } });
    assert.equal(await renderer.render('t'), '2');
  });

  test('names lists the templates in config order', () => {
    const renderer = inlineRenderer({ b: 'x', a: 'y' });
    assert.deepEqual(renderer.names, ['b', 'a']);
  });

  test('rendering an unknown template name rejects naming the templates', async () => {
    await assert.rejects(inlineRenderer({ b: 'x', a: 'y' }).render('c'), {
      message: 'unknown template "c"; templates: b, a',
    });
  });
});

describe('template files', () => {
  let dir: TemplateDir;
  before(async () => {
    dir = await TemplateDir.create();
  });
  after(async () => {
    await dir.cleanup();
  });

  test('include and import find files in the template folder; macros render', async () => {
    const out = await renderFiles(dir, {
      'a/main.njk': '{% import "macros.njk" as m %}{% from "macros.njk" import server %}{% include "header.njk" %}\n' +
        '{% for s in resources.services %}{{ m.server(s) }}{{ server(s) }}{% endfor %}',
      'a/header.njk': '# generated\n',
      'a/macros.njk': '{% macro server(s) %}server {{ s.metadata.name }}:{{ s.spec.ports[0].port }}\n{% endmacro %}',
    }, { main: 'a/main.njk' });
    const servers = ['api:9000', 'api:9000', 'web:80', 'web:80', 'web:8080', 'web:8080'].map((s) => `server ${s}\n`);
    assert.equal(out, `# generated\n${servers.join('')}`);
  });

  test('a name starting with ./ resolves next to the including file, also in a subfolder', async () => {
    const out = await renderFiles(dir, {
      'b/main.njk': '{% include "./parts/one.njk" %}',
      'b/parts/one.njk': 'one {% include "./two.njk" %}',
      'b/parts/two.njk': 'two',
    }, { main: 'b/main.njk' });
    assert.equal(out, 'one two');
  });

  test('extends and blocks work (trimBlocks eats the newline after a block tag)', async () => {
    const out = await renderFiles(dir, {
      'c/child.njk': '{% extends "base.njk" %}{% block body %}{{ resources.ingresses | length }} ingresses{% endblock %}',
      'c/base.njk': 'global\n{% block body %}{% endblock %}\n',
    }, { main: 'c/child.njk' });
    assert.equal(out, 'global\n3 ingresses');
  });

  test('a template and the files it includes are read once: later changes on disk are not seen', async () => {
    await dir.write({ 'd/main.njk': 'v1 {% include "part.njk" %}', 'd/part.njk': 'p1' });
    const renderer = createRenderer({ templates: [dir.fileTemplate('d/main.njk')], stores: sampleStores() });
    await writeFile(dir.path('d/main.njk'), 'v2 {% include "part.njk" %}');
    await writeFile(dir.path('d/part.njk'), 'p2');
    assert.equal(await renderer.render('d/main.njk'), 'v1 p1');
    assert.equal(await renderer.render('d/main.njk'), 'v1 p1');
    const fresh = createRenderer({ templates: [dir.fileTemplate('d/main.njk')], stores: sampleStores() });
    assert.equal(await fresh.render('d/main.njk'), 'v2 p2');
  });

  test('an inline template includes files from baseDir', async () => {
    await dir.write({ 'e/shared.njk': 'shared {{ resources.services | length }}' });
    const renderer = inlineRenderer({ t: '[{% include "shared.njk" %}]' }, { baseDir: dir.path('e') });
    assert.equal(await renderer.render('t'), '[shared 3]');
  });

  test('files outside the template folders cannot be included', async () => {
    await dir.write({ 'f/main.njk': '{% include "../outside.njk" %}', 'outside.njk': 'secret' });
    assert.throws(
      () => createRenderer({ templates: [dir.fileTemplate('f/main.njk')], stores: sampleStores() }),
      (err: unknown) => err instanceof RenderError && /template not found/.test(err.reason),
    );
  });

  test('createRenderer throws the first compile error; checkTemplates returns every one', async () => {
    await dir.write({ 'g/ok.njk': 'fine', 'g/bad1.njk': '{% if %}', 'g/bad2.njk': 'x\n{{ }}' });
    const templates = ['g/ok.njk', 'g/bad1.njk', 'g/bad2.njk'].map((name) => dir.fileTemplate(name));
    assert.throws(() => createRenderer({ templates, stores: sampleStores() }), {
      name: 'RenderError',
      message: `${dir.path('g/bad1.njk')}:1:7: unexpected token: %}`,
    });
    const errors = checkTemplates({ templates });
    assert.deepEqual(
      errors.map((e) => [e.template, e.file, e.line]),
      [
        ['g/bad1.njk', dir.path('g/bad1.njk'), 1],
        ['g/bad2.njk', dir.path('g/bad2.njk'), 2],
      ],
    );
    assert.deepEqual(checkTemplates({ templates: [templates[0]!] }), []);
  });
});

describe('compile errors in the log', () => {
  test('are logged with their location at error level, the stack only at debug level', () => {
    const { logger, records } = captureLogger('debug');
    const templates = [{ name: 'broken', inline: 'a\n{% for x in y %}', output: '/x', mode: 0o644 }];
    assert.throws(() => createRenderer({ templates, stores: sampleStores(), logger }), RenderError);
    const error = records.find((r) => r.level === 50);
    assert.match(String(error?.msg), /^template does not compile: <inline:broken>:2:\d+: /);
    assert.equal(JSON.stringify(error).includes('    at '), false, 'no stack at error level');
    const debug = records.find((r) => r.level === 20);
    assert.match(JSON.stringify(debug), /    at /, 'the stack is there at debug level');
  });
});

describe('checkTemplates names', () => {
  test('reports unknown filters and resources where they are written, included files too, and leaves computed names alone', async () => {
    const dir = await TemplateDir.create();
    try {
      await dir.write({
        'part.njk': 'a\n{{ x | to_jsn }}',
        'main.njk': '{% include "part.njk" %}{{ resources.ingresses | length }}{{ resources["service"] | length }}{% set n = "nope" %}{{ resources[n] }}',
      });
      const problems = checkTemplates({ templates: [dir.fileTemplate('main.njk')], baseDir: dir.path(''), resources: ['ingresses', 'services'] });
      assert.deepEqual(problems.map((p) => `${p.file.slice(p.file.lastIndexOf('/') + 1)}:${p.line}: ${p.reason}`), [
        'main.njk:1: unknown resource "service" in resources.service (watched resources: ingresses, services); did you mean "services"?',
        'part.njk:2: unknown filter "to_jsn"; did you mean "to_json"?',
      ]);
      assert.deepEqual(checkTemplates({ templates: [dir.fileTemplate('main.njk')], baseDir: dir.path('') }).map((p) => p.reason), [
        'unknown filter "to_jsn"; did you mean "to_json"?',
      ], 'resources are checked only when the watched ones are given');
    } finally {
      await dir.cleanup();
    }
  });
});
