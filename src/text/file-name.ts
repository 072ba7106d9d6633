/**
 * The names per-object outputs (for_each) may give their files. A name is built from object
 * fields, which tenants write, so it is checked before anything touches the file system:
 * one plain file name in the template's folder, never a path, never hidden (hidden names
 * are informant's own: candidates and the manifest), never a traversal.
 */

/** Longest file name, in bytes: NAME_MAX of Linux file systems. */
export const MAX_FILE_NAME_BYTES = 255;

/** Letters, digits, `.`, `_` and `-`, starting with a letter, digit or `_`. */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const ALLOWED = /[A-Za-z0-9._-]/;

/**
 * Why `name` cannot be a file name of a per-object output, or undefined when it can. The
 * reason says where the problem is, never the name itself (it holds tenants' values).
 */
export function fileNameProblem(name: string): string | undefined {
  if (name === '') return 'the file name is empty';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_FILE_NAME_BYTES) return `the file name is ${bytes} bytes long (at most ${MAX_FILE_NAME_BYTES})`;
  if (SAFE_NAME.test(name)) return undefined;
  if (name.startsWith('.')) return 'the file name starts with "." (hidden names are informant\'s own, and "." and ".." are folders)';
  if (name.startsWith('-')) return 'the file name starts with "-" (commands would read it as an option)';
  const index = [...name].findIndex((ch) => !ALLOWED.test(ch));
  const ch = [...name][index]!;
  const what = ch === '/' ? '"/"' : `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return `the file name holds ${what} at character ${index + 1} (only letters, digits, ".", "_" and "-" are allowed)`;
}
