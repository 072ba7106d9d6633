/**
 * /debug/ui in a real headless browser: Debian's chromium (.ci/chromium.sh installs it),
 * driven by playwright-core, which never downloads a browser of its own. The test saves a
 * screenshot under test-results/.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { findBinary, skipUnlessInstalled } from '../support/local-server.ts';
import { EVIL_NAME, EVIL_PROBLEM, statusPageFixture, type StatusPageFixture } from './support/status-page-fixture.ts';

const CHROMIUM = findBinary('chromium', process.env.CHROMIUM ?? '/usr/bin/chromium');
const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
/** No network, no first-run work, nothing the machine cannot do (no GPU, no sandbox in containers). */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('/debug/ui in a browser', { skip: skipUnlessInstalled(CHROMIUM !== undefined, 'chromium is not installed (.ci/chromium.sh installs it)') }, () => {
  test('shows resources, outputs with the diff of the last change, and recent renders; tenant markup stays text', async () => {
    if (CHROMIUM === undefined) throw new Error('chromium is not installed: .ci/chromium.sh installs it (CI=true does not skip)');
    const fixture: StatusPageFixture = await statusPageFixture();
    cleanups.push(() => fixture.close());
    const userDataDir = await mkdtemp(join(tmpdir(), 'informant-chromium-'));
    cleanups.push(() => rm(userDataDir, { recursive: true, force: true }));
    const browser = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: ARGS });
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    const response = await page.goto(fixture.url);
    assert.equal(response?.status(), 200);
    assert.equal(await page.title(), 'informant status', 'no script changed the title');

    const resources = page.locator('table').nth(0);
    assert.match((await resources.locator('tr', { hasText: 'services' }).innerText()), /v1\/Service\s+all\s+full\s+synced\s+2/);
    assert.ok((await resources.locator('tr', { hasText: 'secrets' }).innerText()).includes(EVIL_PROBLEM), 'the problem shows as text');

    const outputs = page.locator('table').nth(1);
    assert.match(await outputs.locator('tr', { hasText: 'checked' }).innerText(), /failed \(validate\)/);
    assert.match(await outputs.locator('tr', { hasText: 'site' }).innerText(), /site\.txt\s+(written|unchanged)\s/);

    await page.locator('summary', { hasText: 'Last change of site' }).click();
    const diff = page.locator('details[open] pre.diff');
    const diffText = await diff.innerText();
    assert.ok(diffText.includes('-web:80') && diffText.includes('+web:8080'), diffText);
    assert.ok(diffText.includes(`${EVIL_NAME}:81`), 'the <script> name shows as text in the diff');
    assert.deepEqual(await diff.locator('.add, .del').allInnerTexts(), ['-web:80', '+web:8080']);

    const recent = page.locator('table').nth(2);
    assert.ok((await recent.locator('tbody tr').count()) >= 2, 'the two render cycles');
    assert.equal(await page.locator('script, img').count(), 0, 'no element from tenant data');
    assert.equal(await page.title(), 'informant status');

    await mkdir(RESULTS, { recursive: true });
    const screenshot = join(RESULTS, 'status-page.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    assert.ok(statSync(screenshot).size > 10_000, 'a screenshot of the page');
  });
});
