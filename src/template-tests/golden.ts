/**
 * Golden files (`equals`): the output must equal the file byte for byte. A mismatch fails
 * with a unified diff from the golden file to the output; with --update-golden the file is
 * (re)written instead, atomically, and the run notes it.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../output/atomic-file.ts';
import { unifiedDiff } from '../text/diff.ts';
import type { TestFailure } from './types.ts';

/** File mode of golden files written by --update-golden: ordinary source files. */
const GOLDEN_MODE = 0o644;

/** How checkGolden compares and reports. */
export interface GoldenOptions {
  /** The template whose output is compared (for messages). */
  template: string;
  /** Rewrite the golden file when it differs or is missing. */
  update: boolean;
  /** How a path appears in messages. */
  display: (path: string) => string;
}

/** Compares `content` with the golden file at `path`: a failure, a note (file written), or neither. */
export async function checkGolden(path: string, content: string, options: GoldenOptions): Promise<{ failure?: TestFailure; note?: string }> {
  const golden = await readGolden(path);
  if (golden === content) return {};
  const shown = options.display(path);
  if (options.update) {
    await writeFileAtomic(path, content, GOLDEN_MODE);
    return { note: `${golden === undefined ? 'created' : 'updated'} golden file ${shown} (${options.template})` };
  }
  if (golden === undefined) {
    const message = `golden file ${shown} does not exist; run informant test --update-golden to create it from this output`;
    return { failure: { template: options.template, assertion: 'equals', message } };
  }
  const message = `the output differs from the golden file ${shown}; run informant test --update-golden to accept it`;
  const diff = unifiedDiff(golden, content, { fromLabel: shown, toLabel: `${options.template} (rendered)` });
  return { failure: { template: options.template, assertion: 'equals', message, diff } };
}

async function readGolden(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
