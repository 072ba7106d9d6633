/**
 * Inline test fixtures written as a text of YAML documents (`fixtures: |`): parsed into
 * Kubernetes objects, with every problem located in the config file itself. In a literal
 * block (`|`) a line of the text is a line of the file, so problems point at the exact
 * line and column; in any other kind of string they point at the string and say which
 * line of the text is wrong.
 */
import { LineCounter, isMap, isScalar, parseAllDocuments, type Document, type Node } from 'yaml';
import type { KubeObject } from '../k8s.ts';
import type { ConfigProblem } from './errors.ts';
import { locate, type LineCol, type YamlSource } from './positions.ts';
import { formatKeyPath } from './problems.ts';
import { objectProblems } from './tests-schema.ts';

/** Alias expansions allowed per document (guards against alias bombs). */
const MAX_ALIAS_COUNT = 100;

/** Where the fixtures text is written. */
export interface FixtureTextContext {
  /** The file as named in problems. */
  readonly file: string;
  /** The file's text and parsed document. */
  readonly text: string;
  readonly source: YamlSource;
  /** Key path of the fixtures value, e.g. ["tests", "tls", "fixtures"]. */
  readonly path: readonly PropertyKey[];
}

/** Maps a position in the fixtures text to one in the file (and says whether it is exact). */
type Locator = (inner: LineCol) => { line: number; col: number; note: string };

/**
 * The objects of a fixtures text in document order (`List` kinds flattened), or the
 * problems that keep it from being used: syntax errors, documents that are not objects.
 */
export function parseFixtureText(fixtures: string, context: FixtureTextContext): { objects: KubeObject[]; problems: ConfigProblem[] } {
  const lines = new LineCounter();
  const docs = parseAllDocuments(fixtures, { lineCounter: lines, prettyErrors: false, merge: true });
  const locator = textLocator(context);
  const problem = (inner: LineCol, message: string): ConfigProblem => {
    const { line, col, note } = locator(inner);
    return { file: context.file, line, col, path: formatKeyPath(context.path), message: `${message}${note}` };
  };
  const errors = docs.flatMap((doc) => doc.errors);
  if (errors.length > 0) return { objects: [], problems: errors.map((err) => problem(lines.linePos(err.pos[0]), `YAML: ${err.message}`)) };
  const objects: KubeObject[] = [];
  const problems: ConfigProblem[] = [];
  docs.forEach((doc, index) => {
    if (doc.contents === null) return;
    const source = { doc, lines };
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      problems.push(problem(lines.linePos(doc.range[0]), `document ${index + 1}: ${(err as Error).message}`));
      return;
    }
    for (const { obj, path } of documentObjects(value, doc)) {
      const found = objectProblems(obj);
      for (const p of found) problems.push(problem(locate(source, [...path, ...p.path], 'value'), `document ${index + 1}: ${p.message}`));
      if (found.length === 0) objects.push(obj as KubeObject);
    }
  });
  return { objects, problems };
}

/** The objects of one document, with their paths in it: the document, or the items of a List kind. */
function documentObjects(value: unknown, doc: Document): Array<{ obj: unknown; path: PropertyKey[] }> {
  const list = value as { kind?: unknown; items?: unknown; apiVersion?: unknown } | null;
  const kind = typeof list?.kind === 'string' ? list.kind : '';
  if (!isMap(doc.contents) || !(kind === 'List' || kind.endsWith('List')) || !Array.isArray(list?.items)) return [{ obj: value, path: [] }];
  const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
  return list.items.map((item: unknown, i: number) => {
    if (itemKind !== undefined && item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const typed = item as Record<string, unknown>;
      typed.apiVersion ??= list.apiVersion;
      typed.kind ??= itemKind;
    }
    return { obj: item, path: ['items', i] };
  });
}

function textLocator(context: FixtureTextContext): Locator {
  const node = context.source.doc.getIn(context.path as unknown[], true) as Node | undefined;
  if (isScalar(node) && node.type === 'BLOCK_LITERAL' && node.range) {
    const header = context.source.lines.linePos(node.range[0]).line;
    const indent = contentIndent(context.text.slice(node.range[0], node.range[1]));
    return (inner) => ({ line: header + inner.line, col: indent + inner.col, note: '' });
  }
  const start = locate(context.source, context.path, 'value');
  return (inner) => ({ ...start, note: ` (line ${inner.line}, column ${inner.col} of the fixtures text)` });
}

/** The indentation of a literal block's content: that of its first line that is not blank. */
function contentIndent(block: string): number {
  const content = block.split('\n').slice(1);
  const first = content.find((line) => line.trim() !== '');
  return first === undefined ? 0 : first.length - first.trimStart().length;
}
