/**
 * The template line a render error points at, so a failing test shows the code that
 * failed next to the message, and how reporters print it.
 */
import { readFile } from 'node:fs/promises';
import type { TemplateConfig } from '../config/types.ts';
import { RenderError } from '../templates/index.ts';
import { splitLines } from '../text/diff.ts';
import type { SourceExcerpt } from './types.ts';

/** Prefix of the file name a RenderError gives an inline template. */
const INLINE_PREFIX = '<inline:';

/**
 * The line of a located RenderError, read from its template file (or the inline text of
 * the template it names); undefined for other errors or when the line cannot be read.
 */
export async function sourceExcerpt(error: Error, templates: readonly TemplateConfig[]): Promise<SourceExcerpt | undefined> {
  if (!(error instanceof RenderError) || error.line === undefined) return undefined;
  const text = await templateText(error.file, templates);
  const line = text === undefined ? undefined : splitLines(text)[error.line - 1];
  if (line === undefined) return undefined;
  const excerpt: SourceExcerpt = { file: error.file, line: error.line, text: line.replace(/\r?\n$/, '') };
  if (error.col !== undefined) excerpt.col = error.col;
  return excerpt;
}

async function templateText(file: string, templates: readonly TemplateConfig[]): Promise<string | undefined> {
  if (file.startsWith(INLINE_PREFIX)) {
    const name = file.slice(INLINE_PREFIX.length, -1);
    return templates.find((t) => t.name === name)?.inline;
  }
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The excerpt as two lines, a caret under the column:
 *     24 | {{ fail("...") }}
 *        |    ^
 */
export function formatExcerpt(excerpt: SourceExcerpt): string[] {
  const number = String(excerpt.line);
  const lines = [`${number} | ${excerpt.text}`];
  if (excerpt.col !== undefined) {
    const lead = [...excerpt.text.slice(0, Math.max(0, excerpt.col - 1))].map((c) => (c === '\t' ? '\t' : ' ')).join('');
    lines.push(`${' '.repeat(number.length)} | ${lead}^`);
  }
  return lines;
}
