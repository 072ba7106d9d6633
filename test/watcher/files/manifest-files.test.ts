import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listManifestFiles } from '../../../src/watcher/files/manifest-files.ts';
import { tempFolder } from './helpers.ts';

describe('listManifestFiles', () => {
  test('lists yaml, yml and json files in nested folders, sorted, skipping dotfiles, dot-folders and other files', async (t) => {
    const dir = await tempFolder();
    t.after(dir.remove);
    for (const rel of ['b.yaml', 'a.yml', 'c.json', 'UPPER.YAML', 'nested/deeper/d.yaml', 'nested/e.yaml', 'README.md',
      '.hidden.yaml', '.git/config.yaml', 'nested/.cache/x.yaml', '..data/f.yaml']) {
      await dir.write(rel, '');
    }
    const listing = await listManifestFiles(dir.root);
    assert.deepEqual(listing.problems, []);
    assert.deepEqual(
      listing.files.map((f) => f.path.slice(dir.root.length + 1)),
      ['UPPER.YAML', 'a.yml', 'b.yaml', 'c.json', 'nested/deeper/d.yaml', 'nested/e.yaml'],
    );
  });

  test('follows symbolic links, as in a mounted ConfigMap, without looping on a link to an ancestor', async (t) => {
    const dir = await tempFolder();
    t.after(dir.remove);
    await dir.write('..2024_01_01/app.yaml', 'x');
    await symlink('..2024_01_01', join(dir.root, '..data'));
    await symlink('..data/app.yaml', join(dir.root, 'app.yaml'));
    await mkdir(join(dir.root, 'sub'));
    await symlink('..', join(dir.root, 'sub', 'loop'));
    const listing = await listManifestFiles(dir.root);
    assert.deepEqual(listing.files.map((f) => f.path.slice(dir.root.length + 1)), ['app.yaml']);
  });

  test('gives a file a new signature when it is rewritten', async (t) => {
    const dir = await tempFolder();
    t.after(dir.remove);
    const path = await dir.write('a.yaml', 'one');
    const before = (await listManifestFiles(dir.root)).files[0]!.signature;
    await writeFile(path, 'two, longer');
    const after = (await listManifestFiles(dir.root)).files[0]!.signature;
    assert.notEqual(after, before);
  });

  test('lists a single file as the only manifest, whatever its extension', async (t) => {
    const dir = await tempFolder();
    t.after(dir.remove);
    const path = await dir.write('manifests.txt', '');
    assert.deepEqual((await listManifestFiles(path)).files.map((f) => f.path), [path]);
  });

  test('rejects when the root does not exist', async () => {
    await assert.rejects(listManifestFiles('/nonexistent/informant/manifests'), { code: 'ENOENT' });
  });
});
