import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
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

/**
 * Writes `content` to `path` atomically: a temporary file in the same folder is written
 * with `mode`, fsynced, and renamed over `path`, so a reader sees either the old file or
 * the new one, never a half-written one. On any failure the temporary file is removed and
 * `path` is left untouched.
 */
export async function writeFileAtomic(path: string, content: string, mode: number): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    const handle = await open(tmp, 'w', mode);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDirectory(dir);
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
