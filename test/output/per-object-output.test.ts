import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { TemplateConfig } from '../../src/config/types.ts';
import { silentLogger } from '../../src/log.ts';
import { PerObjectOutput, type FileBatch } from '../../src/output/per-object-output.ts';
import { capturedLogger } from '../support/captured-log.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { CERT_A } from '../support/tls-fixtures.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const MANIFEST = '.informant-certs.manifest';

/** A command that appends its label and arguments to `log`, then exits with 1 when its file holds "bad". */
function recorder(log: string, label: string): string[] {
  return ['sh', '-c', `echo "${label} $(basename "$1")" >> ${log}; ! grep -q bad "$1"`, 'sh', '{{ file }}'];
}

async function setup(extras: (log: string) => Partial<TemplateConfig> = () => ({}), logger = silentLogger()) {
  const root = await mkdtemp(join(tmpdir(), 'informant-per-object-'));
  dirs.push(root);
  const dir = join(root, 'certs');
  const log = join(root, 'commands.log');
  const template: TemplateConfig = {
    name: 'certs',
    output: join(dir, '{{ object.metadata.name }}.pem'),
    mode: 0o600,
    forEach: { resource: 'secrets', dir, name: '{{ object.metadata.name }}.pem' },
    ...extras(log),
  };
  const create = (): PerObjectOutput =>
    new PerObjectOutput({ template, clock: new FakeClock(), logger, runCommands: true, commandTimeoutMs: 10_000, cwd: root });
  const commands = async (): Promise<string> => readFile(log, 'utf8').catch(() => '');
  const listing = async (): Promise<string[]> => (await readdir(dir)).sort();
  const manifest = async (): Promise<string[]> => JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')).files;
  return { root, dir, target: create(), create, commands, listing, manifest };
}

function batch(files: Record<string, string>, failed: Record<string, string> = {}): FileBatch {
  return { files: new Map(Object.entries(files)), failed: new Map(Object.entries(failed).map(([name, message]) => [name, new Error(message)])) };
}

describe('PerObjectOutput', () => {
  test('writes one file per element with the mode, lists them in the manifest, and owes on_change once', async () => {
    const { dir, target, listing, manifest } = await setup((log) => ({ onChange: recorder(log, 'on_change') }));
    const result = await target.write(batch({ 'a.pem': 'A\n', 'b.pem': 'B\n' }));
    assert.equal(result.status, 'written');
    assert.deepEqual(result.files, { written: ['a.pem', 'b.pem'], removed: [], unchanged: 0, failed: [] });
    assert.deepEqual(await listing(), [MANIFEST, 'a.pem', 'b.pem']);
    assert.equal(await readFile(join(dir, 'a.pem'), 'utf8'), 'A\n');
    assert.equal((await stat(join(dir, 'a.pem'))).mode & 0o777, 0o600);
    assert.deepEqual(await manifest(), ['a.pem', 'b.pem']);
    assert.equal(target.onChangePending, true);
    assert.equal(target.state().files, 2);
  });

  test('an unchanged batch writes nothing, also after a restart, and a changed one replaces only its changed files', async () => {
    const { dir, target, create } = await setup();
    await target.write(batch({ 'a.pem': 'A\n', 'b.pem': 'B\n' }));
    const inode = (await stat(join(dir, 'a.pem'))).ino;
    assert.deepEqual(await target.write(batch({ 'a.pem': 'A\n', 'b.pem': 'B\n' })), {
      status: 'unchanged',
      files: { written: [], removed: [], unchanged: 2, failed: [] },
    });
    const restarted = create();
    assert.equal((await restarted.write(batch({ 'a.pem': 'A\n', 'b.pem': 'B\n' }))).status, 'unchanged');
    const changed = await restarted.write(batch({ 'a.pem': 'A\n', 'b.pem': 'B2\n' }));
    assert.deepEqual(changed.files, { written: ['b.pem'], removed: [], unchanged: 1, failed: [] });
    assert.equal((await stat(join(dir, 'a.pem'))).ino, inode);
  });

  test('removes the files of elements that are gone, and nothing the manifest does not list', async () => {
    const { dir, target, create, listing, manifest } = await setup();
    await target.write(batch({ 'a.pem': 'A\n', 'b.pem': 'B\n' }));
    await writeFile(join(dir, 'crt-list.txt'), 'mine\n');
    await writeFile(join(dir, 'c.pem'), 'someone else\n');
    const result = await create().write(batch({ 'a.pem': 'A\n' }));
    assert.deepEqual(result.files, { written: [], removed: ['b.pem'], unchanged: 1, failed: [] });
    assert.equal(result.status, 'written');
    assert.deepEqual(await listing(), [MANIFEST, 'a.pem', 'c.pem', 'crt-list.txt']);
    assert.deepEqual(await manifest(), ['a.pem']);
  });

  test('validate runs once per new or changed file; a rejected file keeps its previous version and the others go ahead', async () => {
    const { dir, target, commands } = await setup((log) => ({ validate: recorder(log, 'validate'), onChange: recorder(log, 'on_change') }));
    await target.write(batch({ 'a.pem': 'A\n', 'b.pem': 'B\n' }));
    assert.match(await commands(), /^validate \.a\.pem\.[0-9a-f]+\.candidate\nvalidate \.b\.pem\.[0-9a-f]+\.candidate\n$/);
    const result = await target.write(batch({ 'a.pem': 'bad\n', 'b.pem': 'B2\n', 'c.pem': 'bad\n' }));
    assert.equal(result.status, 'written');
    assert.equal(result.stage, 'validate');
    assert.deepEqual(result.files?.written, ['b.pem']);
    assert.deepEqual(result.files?.failed.map((f) => [f.file, f.stage]), [['a.pem', 'validate'], ['c.pem', 'validate']]);
    assert.match(result.error?.message ?? '', /^template "certs": 2 file\(s\) not replaced \(each keeps its previous version\): a\.pem: validate failed: /);
    assert.equal(await readFile(join(dir, 'a.pem'), 'utf8'), 'A\n');
    assert.deepEqual((await readdir(dir)).sort(), [MANIFEST, 'a.pem', 'b.pem'], 'rejected candidates are removed; c.pem never appears');
    const again = await target.write(batch({ 'a.pem': 'bad\n', 'b.pem': 'B2\n', 'c.pem': 'bad\n' }));
    assert.equal(again.status, 'failed');
    assert.equal((await commands()).split('\n').filter((line) => line.startsWith('validate')).length, 5, 'rejected content is not validated again');
  });

  test('an element whose render failed keeps its file; a batch where only that happened has failed', async () => {
    const { dir, target, manifest } = await setup();
    await target.write(batch({ 'a.pem': 'A\n', 'b.pem': 'B\n' }));
    const result = await target.write(batch({ 'a.pem': 'A\n' }, { 'b.pem': 'resources.secrets.Fetch("shop", "b"): forbidden' }));
    assert.equal(result.status, 'failed');
    assert.equal(result.stage, 'render');
    assert.equal(await readFile(join(dir, 'b.pem'), 'utf8'), 'B\n');
    assert.deepEqual(await manifest(), ['a.pem', 'b.pem']);
  });

  test('never touches a path outside its folder, whatever the manifest says', async () => {
    const { root, dir, create, listing } = await setup();
    await mkdir(dir, { recursive: true });
    await writeFile(join(root, 'precious'), 'keep me\n');
    await writeFile(join(dir, MANIFEST), JSON.stringify({ files: ['../precious', '.hidden', 'a.pem', 42] }));
    const log = capturedLogger();
    const target = new PerObjectOutput({ template: create().template, clock: new FakeClock(), logger: log.logger, runCommands: true, commandTimeoutMs: 1000, cwd: root });
    await target.write(batch({ 'b.pem': 'B\n' }));
    assert.equal(await readFile(join(root, 'precious'), 'utf8'), 'keep me\n');
    assert.deepEqual(await listing(), [MANIFEST, 'b.pem']);
    assert.match(log.warnings()[0]!.msg, /the manifest lists entries that are not plain file names of this folder: ignored, never removed/);
    const refused = await target.write(batch({ 'b.pem': 'B\n', '../escape.pem': 'x\n' }));
    assert.equal(refused.status, 'failed');
    assert.match(refused.error?.message ?? '', /refused a file name: the file name starts with "\."/);
  });

  test('a manifest that does not parse lists nothing, so nothing is removed', async () => {
    const { dir, create, listing } = await setup();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'old.pem'), 'old\n');
    await writeFile(join(dir, MANIFEST), '{not json');
    const result = await create().write(batch({ 'a.pem': 'A\n' }));
    assert.deepEqual(result.files?.removed, []);
    assert.deepEqual(await listing(), [MANIFEST, 'a.pem', 'old.pem']);
  });

  test('a file holding a private key is written without the "other" bits, and the listing never shows content', async () => {
    const { dir, target } = await setup(() => ({ mode: 0o644 }));
    await target.write(batch({ 'a.pem': `${CERT_A.cert}${CERT_A.key}` }));
    assert.equal((await stat(join(dir, 'a.pem'))).mode & 0o777, 0o640);
    assert.match(target.currentContent ?? '', /^a\.pem sha256:[0-9a-f]{64}\n$/);
  });

  test('runs on_change once for the whole batch, with the folder as {{ file }}', async () => {
    const { dir, target, commands } = await setup((log) => ({ onChange: ['sh', '-c', `echo "on_change $1" >> ${log}`, 'sh', '{{ file }}'] }));
    await target.write(batch({ 'a.pem': 'A\n', 'b.pem': 'B\n', 'c.pem': 'C\n' }));
    assert.deepEqual(await target.runPendingOnChange(true), { status: 'unchanged' });
    assert.equal(await commands(), `on_change ${dir}\n`);
    assert.equal(target.onChangePending, false);
  });
});
