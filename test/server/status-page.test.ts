import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { EVIL_NAME, EVIL_PROBLEM, statusPageFixture, type StatusPageFixture } from './support/status-page-fixture.ts';
import { escapeHtml } from '../../src/server/html.ts';

const fixtures: StatusPageFixture[] = [];
after(async () => {
  for (const fixture of fixtures) await fixture.close();
});

async function start(...args: Parameters<typeof statusPageFixture>): Promise<StatusPageFixture> {
  const fixture = await statusPageFixture(...args);
  fixtures.push(fixture);
  return fixture;
}

describe('/debug/ui', () => {
  test('is HTML with a policy that allows no script, and shows tenant data only as text', async () => {
    const { url } = await start();
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.doesNotMatch(response.headers.get('content-security-policy') ?? '', /script-src/);
    const page = await response.text();
    assert.ok(page.includes(escapeHtml(EVIL_NAME)), 'the name is shown, escaped');
    assert.ok(page.includes(escapeHtml(EVIL_PROBLEM)), 'the watch problem is shown, escaped');
    assert.ok(!page.includes('<script') && !page.includes('<img'), 'no markup from tenant data');
  });

  test('shows the diff of the last change, withholds outputs that read Secrets, and the failing template', async () => {
    const page = await (await fetch((await start()).url)).text();
    assert.match(page, /<span class="del">-web:80<\/span>/);
    assert.match(page, /<span class="add">\+web:8080<\/span>/);
    assert.match(page, /Last change of <b>tls<\/b><\/summary><p class="muted">Not shown: this template reads Secret data/);
    assert.ok(!page.includes('c2VjcmV0'), 'no Secret data');
    assert.match(page, /<span class="badge bad">failed \(validate\)<\/span>/);
    const ports = /Last change of <b>ports<\/b><\/summary><pre class="diff">([\s\S]*?)<\/pre>/.exec(page)?.[1] ?? '';
    assert.match(ports, /<span class="del">-web\.txt sha256:[0-9a-f]{64}<\/span>/, 'a for_each template: the listing of its files');
    assert.match(ports, /<span class="add">\+web\.txt sha256:[0-9a-f]{64}<\/span>/);
    assert.match(page, /2026-12-06T19:30:0\d\.000Z/, 'clock times as ISO 8601');
  });

  test('is guarded like the rest of /debug/', async () => {
    const { url } = await start({ access: async ({ token }) => (token === 'let-me-in' ? { allowed: true } : { allowed: false, status: 401, reason: 'no token' }) });
    assert.equal((await fetch(url)).status, 401);
    assert.equal((await fetch(url, { headers: { Authorization: 'Bearer let-me-in' } })).status, 200);
  });
});
