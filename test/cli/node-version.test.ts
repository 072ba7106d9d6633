import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: plain JavaScript without type declarations (it must run on old Node).
import { nodeVersionProblem, requiredVersion } from '../../bin/check-node.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the version check in a fresh Node that reports `version` as its own. */
function checkAs(version: string): Promise<{ code: number | null; stderr: string }> {
  const script = `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: ${JSON.stringify(version)} } });
    const { assertNodeVersion } = await import('./bin/check-node.js'); assertNodeVersion();`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('the Node.js version check', () => {
  test('says which version is needed and which was found, and exits 1, on a Node that is too old', async () => {
    const old = await checkAs('20.11.1');
    assert.equal(old.code, 1);
    assert.match(old.stderr, /^informant needs Node\.js >=22\.19 .* but this is Node\.js 20\.11\.1\./);
    const current = await checkAs(process.versions.node);
    assert.deepEqual(current, { code: 0, stderr: '' });
  });

  test('compares major, minor and patch against engines', () => {
    const cases: Array<[string, boolean]> = [
      ['22.18.9', false],
      ['22.19.0', true],
      ['23.0.0', true],
      ['24.21.0', true],
      ['18.20.4', false],
      ['v22.19.1', true],
    ];
    for (const [version, ok] of cases) assert.equal(nodeVersionProblem(version, '>=22.19') === undefined, ok, version);
    assert.deepEqual(requiredVersion('>= 22.19'), [22, 19, 0]);
    assert.throws(() => requiredVersion('^22'), /engines\.node must be ">=X\.Y"/);
  });

  test('.nvmrc names a version engines allow, .npmrc makes npm refuse other ones, and the npm scripts check first', async () => {
    const pkg = JSON.parse(await readFile(`${ROOT}package.json`, 'utf8'));
    const nvmrc = (await readFile(`${ROOT}.nvmrc`, 'utf8')).trim();
    assert.equal(nodeVersionProblem(`${nvmrc}.0.0`, pkg.engines.node), undefined);
    assert.match(await readFile(`${ROOT}.npmrc`, 'utf8'), /^engine-strict=true$/m);
    assert.match(pkg.scripts.start, /^node bin\/informant\.js /);
    for (const script of ['test:unit', 'test:e2e']) assert.match(pkg.scripts[script], /^node bin\/check-node\.js && /);
  });
});
