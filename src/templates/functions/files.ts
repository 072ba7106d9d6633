/**
 * `file(path)`: the text of a file in the config's folder (or below it), for what the
 * operator keeps beside the config: a list of allowed networks, a banner, a CA bundle.
 * The path is relative to the config file's folder and must stay inside it: an absolute
 * path, a `..` that climbs out, or a symbolic link (anywhere on the way) that leads out is
 * refused, so a path built from object data cannot read /etc or a mounted credential. A
 * file is read at most once per render, at most limits.max_file_size bytes, as UTF-8.
 * Its text is the operator's: print text of several lines with `| safe` under
 * `escape: line`.
 */
import { closeSync, fstatSync, openSync, readSync, realpathSync, constants } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { TemplateFailure } from '../errors.ts';
import { activeScope, type FunctionScope } from './scope.ts';

export function file(path?: unknown): string {
  const scope = activeScope('file');
  if (typeof path !== 'string' || path === '') throw new TemplateFailure('file(path): path must be a non-empty string');
  const shown = /^[\w./-]{1,200}$/.test(path) ? JSON.stringify(path) : `a path of ${path.length} characters`;
  const target = confined(scope, path, shown);
  const cached = scope.files.get(target);
  if (cached !== undefined) return cached;
  const text = readBounded(target, scope.maxFileBytes, shown);
  scope.files.set(target, text);
  return text;
}

/** The real path of `path` under the config folder; a TemplateFailure when it leads anywhere else. */
function confined(scope: FunctionScope, path: string, shown: string): string {
  if (scope.baseDir === undefined) throw new TemplateFailure(`file(${shown}): this render has no config folder to read from`);
  if (isAbsolute(path) || path.includes('\0')) throw new TemplateFailure(`file(${shown}): the path must be relative to the config's folder`);
  const base = realpathSync(scope.baseDir);
  if (escapes(relative(scope.baseDir, resolve(scope.baseDir, path)))) {
    throw new TemplateFailure(`file(${shown}): the path leads out of the config's folder`);
  }
  let real: string;
  try {
    real = realpathSync(resolve(scope.baseDir, path));
  } catch (err) {
    throw new TemplateFailure(`file(${shown}): ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot be read'} in the config's folder`);
  }
  if (escapes(relative(base, real))) throw new TemplateFailure(`file(${shown}): a symbolic link leads out of the config's folder`);
  return real;
}

function escapes(rel: string): boolean {
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}

/** The file's text, refused when it is not a regular file or larger than `max` bytes. */
function readBounded(path: string, max: number, shown: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new TemplateFailure(`file(${shown}): not a regular file`);
    if (stat.size > max) throw new TemplateFailure(`file(${shown}): ${stat.size} bytes, more than limits.max_file_size (${max})`);
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = readSync(fd, buffer, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
