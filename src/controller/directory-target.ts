/**
 * `informant render --out DIR`: the outputs keep their places relative to each other. Each
 * output (the file of a template, or the folder of a for_each template's files) goes to
 * DIR plus its path relative to the deepest folder that holds every output: outputs in one
 * folder keep their file names, and a config whose haproxy.cfg names `certs/x.pem` beside
 * it gets `DIR/haproxy.cfg` and `DIR/certs/x.pem`.
 */
import { dirname, join, relative, sep } from 'node:path';
import type { TemplateConfig } from '../config/types.ts';
import { checksum, fileChecksum, writeFileAtomic } from '../output/atomic-file.ts';
import { modeFor } from '../output/file-attributes.ts';
import type { WriteResult } from '../output/types.ts';

/** Where each template's output goes under `dir`: a file, or (for_each) a folder. */
export function placesUnder(dir: string, templates: readonly TemplateConfig[]): Map<string, string> {
  const placeOf = (t: TemplateConfig): string => t.forEach?.dir ?? t.output;
  const root = commonFolder(templates.map((t) => (t.forEach ? t.forEach.dir : dirname(t.output))));
  return new Map(templates.map((t) => [t.name, join(dir, relative(root, placeOf(t)))]));
}

/** The deepest folder that holds every one of `folders` (absolute paths). */
function commonFolder(folders: readonly string[]): string {
  if (folders.length === 0) return sep;
  const split = folders.map((folder) => folder.split(sep));
  const first = split[0]!;
  let length = first.length;
  for (const parts of split) {
    let same = 0;
    while (same < Math.min(length, parts.length) && parts[same] === first[same]) same++;
    length = same;
  }
  return first.slice(0, length).join(sep) || sep;
}

/** Writes the file unless its content is already the same (a private key is never written readable by others). */
export async function writeIfChanged(path: string, content: string, mode: number): Promise<WriteResult> {
  try {
    if ((await fileChecksum(path)) === checksum(content)) return { status: 'unchanged' };
    await writeFileAtomic(path, content, modeFor(mode, content));
    return { status: 'written' };
  } catch (err) {
    return { status: 'failed', stage: 'write', error: err as Error };
  }
}
