/**
 * Output files on disk: checksums, durable writes, atomic replacement and backups. A
 * reader of an output sees the old file or the new one, never a half-written one.
 *
 * Temporary files (candidates, backups in progress) are created fresh, as consul-template
 * does: a random name beside the output, opened with O_CREAT|O_EXCL|O_NOFOLLOW, so a file
 * or symbolic link someone planted at a predictable name is never written through, and
 * never chmod-ed: the open fails and another name is tried.
 */
import { constants } from 'node:fs';
import { randomBytes, createHash } from 'node:crypto';
import { copyFile, lstat, mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const DEFAULTS = Object.freeze({
  /** Names tried for a temporary file before giving up (each one random: a clash means someone is planting files). */
  createAttempts: 5,
});

/** Flags of a fresh file: create, fail if anything (a symbolic link included) is at the path, never follow one. */
const EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** The sha256 of a text, hex. */
export function checksum(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The checksum of the file's current content, or undefined when there is no file there
 * (nothing, or a symbolic link: never read through one, it is replaced like a missing file).
 */
export async function fileChecksum(path: string): Promise<string | undefined> {
  try {
    return checksum(await readFile(path, { encoding: 'utf8', flag: constants.O_RDONLY | constants.O_NOFOLLOW }));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP') return undefined;
    throw err;
  }
}

/** A fresh temporary path beside `output`: `.name.<random>.<suffix>`. */
function temporaryPath(output: string, suffix: string): string {
  return join(dirname(output), `.${basename(output)}.${randomBytes(6).toString('hex')}.${suffix}`);
}

/** Where the previous version of `output` is kept when backups are on: `name.bak` beside it. */
export function backupPath(output: string): string {
  return `${output}.bak`;
}

/**
 * Writes `content` with `mode` into a fresh temporary file beside `output` (creating the
 * folder) and fsyncs it; resolves with its path (`.name.<random>.<suffix>`). Nothing that
 * was at any path is touched. Not atomic by itself: {@link replaceFile} the result over
 * the output, or remove it.
 */
export async function writeTemporary(output: string, content: string, mode: number, suffix = 'tmp'): Promise<string> {
  await mkdir(dirname(output), { recursive: true });
  const { path, handle } = await createExclusive(output, suffix, mode);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.chmod(mode);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(path, { force: true });
    throw err;
  }
  await handle.close();
  return path;
}

/** Creates a fresh file beside `output` (see the module comment); EEXIST on every attempt rejects. */
async function createExclusive(output: string, suffix: string, mode: number): Promise<{ path: string; handle: FileHandle }> {
  for (let attempt = 1; ; attempt++) {
    const path = temporaryPath(output, suffix);
    try {
      return { path, handle: await open(path, EXCLUSIVE, mode) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= DEFAULTS.createAttempts) throw err;
    }
  }
}

/** Renames `from` over `to` (atomic within one file system) and makes the rename durable. */
export async function replaceFile(from: string, to: string): Promise<void> {
  await rename(from, to);
  await syncDirectory(dirname(to));
}

/**
 * Writes `content` to `path` atomically: a temporary file in the same folder is written
 * with `mode`, fsynced, and renamed over `path`, so a reader sees either the old file or
 * the new one, never a half-written one. On any failure the temporary file is removed and
 * `path` is left untouched.
 */
export async function writeFileAtomic(path: string, content: string, mode: number): Promise<void> {
  const tmp = await writeTemporary(path, content, mode);
  try {
    await replaceFile(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Copies the current `output` to `backup` atomically (a copy, then a rename), so the
 * backup is always a complete earlier version. Returns false when there is no output yet
 * (or it is not a regular file: a symbolic link there is not followed).
 */
export async function backupFile(output: string, backup: string): Promise<boolean> {
  const found = await lstat(output).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!found?.isFile()) return false;
  const tmp = temporaryPath(backup, 'tmp');
  try {
    await copyFile(output, tmp, constants.COPYFILE_EXCL);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  try {
    await replaceFile(tmp, backup);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return true;
}

/** Makes a rename durable by fsyncing its folder; best effort where folders cannot be opened. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some file systems refuse fsync on folders; the rename itself is still atomic.
  }
}
