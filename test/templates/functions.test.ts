import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TemplateConfig } from '../../src/config/types.ts';
import { createRenderer, type RendererOptions } from '../../src/templates/index.ts';
import { sampleStores } from './fixtures.ts';

const START = Date.UTC(2026, 11, 6, 18, 30, 5, 42);

let root: string;
let config: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'informant-functions-'));
  config = join(root, 'config');
  await mkdir(join(config, 'lists'), { recursive: true });
  await writeFile(join(config, 'lists', 'allow.txt'), '10.0.0.0/8\n192.168.0.0/16\n');
  await writeFile(join(config, 'banner.txt'), 'hello');
  await writeFile(join(config, 'big.txt'), 'x'.repeat(100));
  await writeFile(join(root, 'outside.txt'), 'secret outside');
  await symlink(join(root, 'outside.txt'), join(config, 'link-out.txt'));
  await symlink(root, join(config, 'dir-out'));
  await symlink(join(config, 'banner.txt'), join(config, 'link-in.txt'));
});
after(() => rm(root, { recursive: true, force: true }));

/** Renders `text` as template `t` with the given allow_env and the fixed clock and environment. */
async function render(text: string, template: Partial<TemplateConfig> = {}, options: Partial<RendererOptions> = {}): Promise<string> {
  const renderer = createRenderer({
    templates: [{ name: 't', inline: text, output: '/x', mode: 0o644, ...template }],
    stores: sampleStores(),
    baseDir: config,
    env: { POD_NAMESPACE: 'edge', HOME: '/root', EMPTY: '' },
    now: () => START,
    maxFileBytes: 64,
    ...options,
  });
  return renderer.render('t');
}

async function renderError(text: string, template: Partial<TemplateConfig> = {}): Promise<string> {
  try {
    await render(text, template);
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail('the render should fail');
}

describe('env()', () => {
  test('reads a variable the template allows, the default when it is unset, and "" without a default', async () => {
    const allow = { allowEnv: ['POD_NAMESPACE', 'MISSING', 'EMPTY'] };
    assert.equal(await render('{{ env("POD_NAMESPACE") }}|{{ env("MISSING", "none") }}|{{ env("MISSING") }}|{{ env("EMPTY", "x") }}', allow), 'edge|none||');
  });

  test('refuses a variable the template does not allow, naming what it allows', async () => {
    assert.equal(await renderError('{{ env("HOME") }}', { allowEnv: ['POD_NAMESPACE'] }), '<inline:t>:1:4: env("HOME"): not in templates.t.allow_env (it allows POD_NAMESPACE)');
    assert.match(await renderError('{{ env("HOME") }}'), /not in templates\.t\.allow_env \(it allows none\)$/);
  });

  test('does not repeat a name that cannot be a variable (it may come from an object)', async () => {
    const message = await renderError('{{ env(resources.ingresses[0].spec.rules[0].host) }}');
    assert.match(message, /env\("?a string of 15 characters"?\): not in/);
    assert.doesNotMatch(message, /example\.com/);
  });
});

describe('now() and format_time', () => {
  test('now() is the start of the render, the same instant every time it is called', async () => {
    assert.equal(await render('{{ now() | format_time }} {{ now() | format_time("unix_ms") }}'), `2026-12-06T18:30:05.042Z ${START}`);
  });

  test('formats by name and by pattern, in UTC', async () => {
    const text = '{{ now() | format_time("unix") }}|{{ now() | format_time("http") }}|{{ now() | format_time("%Y-%m-%d %H:%M:%S.%L %z %Z day %j 100%%") }}';
    assert.equal(await render(text), '1796581805|Sun, 06 Dec 2026 18:30:05 GMT|2026-12-06 18:30:05.042 +0000 UTC day 340 100%');
  });

  test('takes epoch milliseconds and ISO 8601 text too', async () => {
    assert.equal(await render('{{ 0 | format_time("%Y") }} {{ "2025-01-31T00:00:00Z" | format_time("%d/%m") }}'), '1970 31/01');
  });

  test('refuses an unknown directive and what is not a time', async () => {
    assert.match(await renderError('{{ now() | format_time("%Q") }}'), /format_time: unknown format directive %Q/);
    assert.match(await renderError('{{ "soon" | format_time }}'), /format_time: expected a date/);
  });
});

describe('sha256, parse_json and parse_yaml', () => {
  test('sha256 digests a text (numbers as text) into 64 hex digits', async () => {
    assert.equal(await render('{{ "abc" | sha256 }} {{ 1 | sha256 == "1" | sha256 }}'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad true');
    assert.match(await renderError('{{ resources.ingresses | sha256 }}'), /sha256: expected a text, got a list/);
  });

  test('parse_json and parse_yaml turn text into data', async () => {
    const text = '{% set j = \'{"ports": [80, 443]}\' | parse_json %}{% set y = "a: {b: [1, 2]}" | parse_yaml %}{{ j.ports | join(",") }} {{ y.a.b[1] }}';
    assert.equal(await render(text), '80,443 2');
  });

  test('say where a text is wrong, never what it holds', async () => {
    const json = await renderError('{{ \'{"token": "hunter2-very-secret" oops}\' | parse_json }}');
    assert.match(json, /parse_json: not valid JSON at character 33 \(a text of 37 characters\)$/);
    assert.doesNotMatch(json, /hunter2/);
    const yaml = await renderError('{{ "key: hunter2-very-secret\\n  - : [" | parse_yaml }}');
    assert.match(yaml, /parse_yaml: not valid YAML at line \d+, column \d+: \w+ \(a text of \d+ characters\)$/);
    assert.doesNotMatch(yaml, /hunter2/);
    assert.match(await renderError('{{ "a: 1\\n---\\nb: 2" | parse_yaml }}'), /holds 2 YAML documents; expected one/);
  });

  test('parse_yaml refuses aliases that expand a small text into a huge one', async () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\\n');
    assert.match(await renderError(`{{ "${bomb}" | parse_yaml }}`), /parse_yaml: cannot read the YAML: aliases expand too far/);
  });
});

describe('file()', () => {
  test('reads a file relative to the config folder, in subfolders and through links that stay inside', async () => {
    assert.equal(await render('{{ file("lists/allow.txt") | safe }}{{ file("banner.txt") }} {{ file("./link-in.txt") }}'), '10.0.0.0/8\n192.168.0.0/16\nhello hello');
  });

  test('refuses absolute paths, paths that climb out and links that lead out', async () => {
    assert.match(await renderError('{{ file("/etc/hostname") }}'), /file\("\/etc\/hostname"\): the path must be relative to the config's folder$/);
    assert.match(await renderError('{{ file("../outside.txt") }}'), /file\("\.\.\/outside\.txt"\): the path leads out of the config's folder$/);
    assert.match(await renderError('{{ file("lists/../../outside.txt") }}'), /the path leads out of the config's folder$/);
    assert.match(await renderError('{{ file("link-out.txt") }}'), /file\("link-out\.txt"\): a symbolic link leads out of the config's folder$/);
    assert.match(await renderError('{{ file("dir-out/outside.txt") }}'), /a symbolic link leads out of the config's folder$/);
  });

  test('says what is wrong with a missing, a non-regular or a too large file', async () => {
    assert.match(await renderError('{{ file("nope.txt") }}'), /file\("nope\.txt"\): no such file in the config's folder$/);
    assert.match(await renderError('{{ file("lists") }}'), /file\("lists"\): not a regular file$/);
    assert.match(await renderError('{{ file("big.txt") }}'), /file\("big\.txt"\): 100 bytes, more than limits\.max_file_size \(64\)$/);
  });

  test('does not repeat a path that is not a plain relative path (it may come from an object)', async () => {
    assert.match(await renderError('{{ file("a b\\n../c") }}'), /file\(a path of 8 characters\): /);
  });

  test('prints a file of several lines only with | safe under escape: line', async () => {
    assert.match(await renderError('{{ file("lists/allow.txt") }}'), /line break/);
  });
});
