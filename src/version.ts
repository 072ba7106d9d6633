/**
 * Which informant this is: the version of its package.json (the same file from the source
 * tree, src/, and from the built package, dist/, both one folder below it), read once.
 */
import { readFileSync } from 'node:fs';

/** informant's version, e.g. "0.1.0". */
export const VERSION: string = readVersion();

function readVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error('package.json has no version');
  return manifest.version;
}
