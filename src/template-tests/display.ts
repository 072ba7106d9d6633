/**
 * How paths appear in test reports: relative to the working directory when inside it (as
 * people type them), absolute otherwise.
 */
import { isAbsolute, relative } from 'node:path';

/** A function showing paths relative to `cwd` when they are inside it, absolute otherwise. */
export function displayPath(cwd: string): (path: string) => string {
  return (path) => {
    const rel = relative(cwd, path);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
  };
}
