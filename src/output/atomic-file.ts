/**
 * Output files on disk: checksums, durable writes, atomic replacement and backups. A
 * reader of an output sees the old file or the new one, never a half-written one.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The sha256 of a text, hex. */
export function checksum(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The checksum of the file's current content, or undefined when it does not exist. */
export async function fileChecksum(path: string): Promise<string | undefined> {
  try {
    return checksum(await readFile(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Where the candidate of `output` is written before it is validated: `.name.candidate` beside it. */
export function candidatePath(output: string): string {
  return join(dirname(output), `.${basename(output)}.candidate`);
}

/** Where the previous version of `output` is kept when backups are on: `name.bak` beside it. */
export function backupPath(output: string): string {
  return `${output}.bak`;
}

/**
 * Writes `content` to `path` with `mode` and fsyncs it (creating the folder), replacing
 * whatever was there. Not atomic by itself: write to a path no reader uses, then
 * {@link replaceFile}.
 */
export async function writeDurable(path: string, content: string, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const handle = await open(path, 'w', mode);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
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
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    await writeDurable(tmp, content, mode);
    await replaceFile(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Copies the current `output` to `backup` atomically (a copy, then a rename), so the
 * backup is always a complete earlier version. Returns false when there is no output yet.
 */
export async function backupFile(output: string, backup: string): Promise<boolean> {
  const tmp = `${backup}.${process.pid}.tmp`;
  try {
    await copyFile(output, tmp);
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
