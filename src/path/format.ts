/**
 * canonicalPath: one spelling per path, e.g. `metadata.labels.app`, `$.metadata.labels['app']`
 * and `metadata["labels"].app` all become `$['metadata']['labels']['app']`. It is the
 * string handed to jsonpath-plus and the key used to tell two expressions apart.
 */
import type { ParsedPath, PathSegment } from './types.ts';

/**
 * The canonical bracket form of a parsed path: `$` followed by `['key']`, `[0]`, `[*]`,
 * `..`, `['a','b']`, `[0,1]` or `[start:end:step]` per segment. Two expressions that select
 * the same thing the same way have the same canonical form.
 */
export function canonicalPath(parsed: ParsedPath): string {
  return '$' + parsed.segments.map(formatSegment).join('');
}

function formatSegment(s: PathSegment): string {
  switch (s.kind) {
    case 'key':
      return `[${quote(s.key)}]`;
    case 'index':
      return `[${s.index}]`;
    case 'wildcard':
      return '[*]';
    case 'descendant':
      return '..';
    case 'union':
      return `[${s.members.map((m) => (typeof m === 'string' ? quote(m) : String(m))).join(',')}]`;
    case 'slice':
      return `[${s.start ?? ''}:${s.end ?? ''}${s.step === undefined ? '' : `:${s.step}`}]`;
  }
}

function quote(key: string): string {
  return `'${key.replaceAll(/['\\]/g, (c) => `\\${c}`)}'`;
}
