import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { checksum, fileChecksum, writeFileAtomic, writeTemporary } from '../../src/output/atomic-file.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'informant-output-'));
  dirs.push(dir);
  return dir;
}
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  test('writes the content with the requested mode and leaves no temporary file', async () => {
    const dir = await tempDir();
    const path = join(dir, 'sub', 'haproxy.cfg');
    await writeFileAtomic(path, 'global\n', 0o640);
    assert.equal(await readFile(path, 'utf8'), 'global\n');
    assert.equal((await stat(path)).mode & 0o777, 0o640);
    assert.deepEqual(await readdir(join(dir, 'sub')), ['haproxy.cfg']);
  });

  test('replaces an existing file', async () => {
    const dir = await tempDir();
    const path = join(dir, 'out.cfg');
    await writeFile(path, 'old\n');
    await writeFileAtomic(path, 'new\n', 0o644);
    assert.equal(await readFile(path, 'utf8'), 'new\n');
  });

  test('leaves the target and the folder as they were when the replace fails', async () => {
    const dir = await tempDir();
    const path = join(dir, 'out.cfg');
    await mkdir(path); // a non-empty folder where the file should go: rename must fail
    await writeFile(join(path, 'keep'), 'x');
    await assert.rejects(writeFileAtomic(path, 'new\n', 0o644));
    assert.deepEqual(await readdir(dir), ['out.cfg'], 'no temporary file left behind');
    assert.equal(await readFile(join(path, 'keep'), 'utf8'), 'x');
  });
});

describe('writeTemporary', () => {
  test('creates a fresh file with a random name beside the output, mode set and fsynced, and returns its path', async () => {
    const dir = await tempDir();
    const output = join(dir, 'haproxy.cfg');
    const first = await writeTemporary(output, 'a\n', 0o600, 'candidate');
    const second = await writeTemporary(output, 'b\n', 0o600, 'candidate');
    assert.notEqual(first, second);
    assert.match(basename(first), /^\.haproxy\.cfg\.[0-9a-f]{12}\.candidate$/);
    assert.equal(await readFile(first, 'utf8'), 'a\n');
    assert.equal((await stat(first)).mode & 0o777, 0o600);
  });
});

describe('checksums', () => {
  test('fileChecksum is the checksum of the content, or undefined for a missing file', async () => {
    const dir = await tempDir();
    const path = join(dir, 'f');
    assert.equal(await fileChecksum(path), undefined);
    await writeFile(path, 'abc');
    assert.equal(await fileChecksum(path), checksum('abc'));
  });
});
