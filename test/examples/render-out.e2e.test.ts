/**
 * `informant render --config config.yaml --out DIR` on the repository's config: DIR gets
 * haproxy.cfg, crt-list.txt and one PEM file per TLS Secret (private: 0600) in the places
 * haproxy.cfg names them, and `haproxy -c` accepts the result as it is.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCliInProcess } from '../support/cli.ts';
import { checkConfig, haproxySkipReason } from '../support/haproxy.ts';
import { ROOT } from './support/shipped.ts';

const PEMS = ['blog_blog-tls.pem', 'blog_preview-wildcard-tls.pem', 'internal_internal-wildcard-tls.pem', 'shop_api-shop-tls.pem', 'shop_shop-tls.pem'];

describe('informant render --out DIR of the example', { skip: haproxySkipReason() }, () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  test('writes haproxy.cfg, crt-list.txt and one PEM file per TLS Secret, and haproxy -c accepts them', async () => {
    const out = await mkdtemp(join(tmpdir(), 'informant-render-out-'));
    dirs.push(out);
    const result = await runCliInProcess(['render', '--config', 'config.yaml', '--out', out], { cwd: ROOT });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual((await readdir(out)).sort(), ['certs', 'crt-list.txt', 'haproxy.cfg']);
    assert.deepEqual((await readdir(join(out, 'certs'))).sort(), ['.informant-certs.manifest', ...PEMS]);
    for (const pem of PEMS) assert.equal((await stat(join(out, 'certs', pem))).mode & 0o777, 0o600, pem);
    const listed = [...(await readFile(join(out, 'crt-list.txt'), 'utf8')).matchAll(/^certs\/(\S+\.pem) /gm)].map((m) => m[1]);
    assert.deepEqual([...new Set(listed)].sort(), PEMS, 'the crt-list names exactly the files written');
    const checked = await checkConfig(join(out, 'haproxy.cfg'));
    assert.ok(checked.ok, checked.output);
    const again = await runCliInProcess(['render', '--config', 'config.yaml', '--out', out], { cwd: ROOT });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /^unchanged: .*certs \(0 written, 5 unchanged, 0 removed\)$/m);
  });
});
