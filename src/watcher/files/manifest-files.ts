/**
 * Finds the manifest files of a files source: every `.yaml`, `.yml` and `.json` file under
 * a folder (nested folders included, symbolic links followed), skipping dotfiles and
 * dot-folders; or a single file. Each file comes with a stat signature so callers can tell
 * which files changed without reading them.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { formatByteSize } from '../../config/index.ts';
import { basename, extname, join } from 'node:path';
import { ManifestError } from './manifest-error.ts';

/** File name extensions read as manifests (compared case-insensitively). */
export const MANIFEST_EXTENSIONS: readonly string[] = Object.freeze(['.yaml', '.yml', '.json']);

/** A manifest file and a signature that changes whenever its content may have changed. */
export interface ManifestFile {
  /** Absolute path, as found under the root (symbolic links not resolved). */
  path: string;
  /** Device, inode, size and mtime (ns) of the file the path resolves to. */
  signature: string;
}

/** The files found, sorted by path, and the folders or files that could not be examined. */
export interface ManifestListing {
  files: ManifestFile[];
  problems: ManifestError[];
}

/** True for names that are skipped: dotfiles and dot-folders (`.git`, `.#draft.yaml`, `..data`). */
export function isHiddenName(name: string): boolean {
  return name.startsWith('.');
}

/** True when the file name has a manifest extension. */
export function hasManifestExtension(path: string): boolean {
  return MANIFEST_EXTENSIONS.includes(extname(path).toLowerCase());
}

/**
 * Lists the manifest files of `root`. When `root` is a file it is the only one, whatever its
 * extension. Throws (the fs error) only when `root` itself cannot be examined; problems
 * below it are returned.
 */
export async function listManifestFiles(root: string): Promise<ManifestListing> {
  const rootStat = await stat(root, { bigint: true });
  const listing: ManifestListing = { files: [], problems: [] };
  if (rootStat.isDirectory()) {
    await walk(root, new Set([identity(rootStat)]), listing);
  } else {
    listing.files.push({ path: root, signature: signature(rootStat) });
  }
  listing.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return listing;
}

type BigStats = Awaited<ReturnType<typeof statBig>>;
const statBig = (path: string) => stat(path, { bigint: true });

async function walk(dir: string, ancestors: Set<string>, listing: ManifestListing): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (!isMissing(err)) listing.problems.push(unreadable(dir, 'folder', err));
    return;
  }
  for (const entry of entries) {
    if (isHiddenName(entry.name)) continue;
    const path = join(dir, entry.name);
    if (!entry.isDirectory() && !entry.isSymbolicLink() && !hasManifestExtension(path)) continue;
    let stats: BigStats;
    try {
      stats = await statBig(path);
    } catch (err) {
      if (!isMissing(err)) listing.problems.push(unreadable(path, 'entry', err));
      continue;
    }
    if (stats.isDirectory()) {
      if (ancestors.has(identity(stats))) continue; // a symbolic link back up the tree
      await walk(path, new Set([...ancestors, identity(stats)]), listing);
    } else if (stats.isFile() && hasManifestExtension(path)) {
      listing.files.push({ path, signature: signature(stats) });
    }
  }
}

function identity(stats: BigStats): string {
  return `${stats.dev}:${stats.ino}`;
}

function signature(stats: BigStats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}`;
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function unreadable(path: string, what: string, err: unknown): ManifestError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'error';
  return new ManifestError(`cannot read ${what} ${basename(path)} (${code})`, { file: path }, { cause: err });
}

/** A manifest file larger than the limit: it is not read. */
export class FileTooLargeError extends Error {
  override readonly name = 'FileTooLargeError';
}

/**
 * The text of the file at `path`, read only when it is at most `maxBytes` (checked on the
 * open file, so a file growing after it was listed is caught too); a FileTooLargeError
 * naming both sizes otherwise. Other failures are the fs errors.
 */
export async function readManifestText(path: string, maxBytes: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) {
      throw new FileTooLargeError(`the file is ${formatByteSize(size)}, over limits.max_file_size (${formatByteSize(maxBytes)}); it is not read`);
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
