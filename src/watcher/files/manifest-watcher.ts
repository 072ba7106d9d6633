/**
 * Watches a manifests folder (or one file) with chokidar and reports every path that may
 * have changed. It filters out what can never matter (dotfiles, dot-folders, files that
 * are not manifests) but does no debouncing and reads nothing: the files source decides.
 *
 * Folders whose name starts with ".." are watched although they are never read: Kubernetes
 * mounts ConfigMaps as `name.yaml -> ..data/name.yaml` and updates them by swapping the
 * `..data` link, so a change there is how a mounted manifest changes.
 */
import { watch, type FSWatcher } from 'chokidar';
import { basename, dirname, isAbsolute, relative, sep } from 'node:path';
import { hasManifestExtension } from './manifest-files.ts';

export interface ManifestWatchHandlers {
  /** A path under the root was added, changed or removed (file or folder). */
  onChange(path: string): void;
  /** The underlying watcher failed (e.g. out of inotify watches). */
  onError(err: unknown): void;
}

/** A running watch; close() releases every file handle and timer it holds. */
export interface ManifestWatch {
  close(): Promise<void>;
}

/**
 * Starts watching `root` (a folder, recursively, or a single file, which is watched through
 * its folder so editors' delete-and-rename saves are seen). Resolves once the initial scan
 * of the watcher is done, so no change after that is missed.
 */
export async function watchManifests(
  root: string,
  rootIsFile: boolean,
  handlers: ManifestWatchHandlers,
): Promise<ManifestWatch> {
  const base = rootIsFile ? dirname(root) : root;
  const isIgnored = (path: string): boolean => ignoredPath(base, path, rootIsFile ? basename(root) : undefined);
  const watcher: FSWatcher = watch(base, {
    ignoreInitial: true,
    ignored: isIgnored,
    disableGlobbing: true,
    followSymlinks: true,
    persistent: true,
  });
  watcher.on('all', (event: string, path: string) => {
    const isFileEvent = event === 'add' || event === 'change' || event === 'unlink';
    if (isFileEvent && !rootIsFile && !hasManifestExtension(path) && !insideDotDotFolder(base, path)) return;
    handlers.onChange(path);
  });
  watcher.on('error', (err: unknown) => handlers.onError(err));
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    close: () => {
      // chokidar 3's add() reopens a closed watcher, and its own late callbacks may call it
      // (to watch for a deleted path's return); make that a no-op once we close.
      Object.assign(watcher, { add: () => watcher });
      const closed = watcher.close(); // removes every listener
      // A late fs error would otherwise be an 'error' event nobody listens to: a crash.
      watcher.on('error', () => undefined);
      return closed;
    },
  };
}

/**
 * True for paths the watcher skips: anything outside `base`; any segment below it that
 * starts with one dot (".git", ".draft.yaml"); in single-file mode, everything but that
 * file and ".." folders. Refusing paths outside `base` matters: when the watched folder is
 * deleted, chokidar 3 starts watching its parent "for its return", and that watcher can
 * outlive close().
 */
function ignoredPath(base: string, path: string, onlyFile: string | undefined): boolean {
  const rel = relative(base, path);
  if (rel === '') return false;
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return true;
  const segments = rel.split(sep);
  if (segments.some((s) => s.startsWith('.') && !s.startsWith('..'))) return true;
  return onlyFile !== undefined && segments[0] !== onlyFile && !segments[0]!.startsWith('..');
}

function insideDotDotFolder(base: string, path: string): boolean {
  return relative(base, path).split(sep).some((s) => s.startsWith('..'));
}
