/**
 * Where things are in the YAML source. `locate` is the one place that maps a key path
 * (as zod reports it) to a line and column; definitions are listed in the order they
 * are written (`inFileOrder`).
 */
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { SourcePosition } from './types.ts';

/** A parsed config document and its line index. */
export interface YamlSource {
  readonly doc: Document;
  readonly lines: LineCounter;
}

/** 1-based line and column. */
export interface LineCol {
  line: number;
  col: number;
}

/**
 * The position for a problem at `path`: the key itself when `at` is "key" (unknown keys,
 * bad names), otherwise the value. When the path does not exist (a missing required key),
 * the key of the closest existing parent, or the start of the document.
 */
export function locate(source: YamlSource, path: readonly PropertyKey[], at: 'key' | 'value'): LineCol {
  let node: unknown = source.doc.contents;
  let key: Node | undefined;
  let found = true;
  for (const segment of path) {
    const step = child(node, segment);
    if (step === undefined) {
      found = false;
      break;
    }
    key = step.key;
    node = step.value;
  }
  const target = found && at === 'value' && hasRange(node) ? node : (key ?? (hasRange(node) ? node : undefined));
  const offset = target?.range?.[0] ?? 0;
  return source.lines.linePos(offset);
}

/** The key and value nodes of `segment` inside a map or sequence node. */
function child(node: unknown, segment: PropertyKey): { key: Node; value: unknown } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
    return pair === undefined ? undefined : { key: pair.key as Node, value: pair.value };
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return hasRange(item) ? { key: item, value: item } : undefined;
  }
  return undefined;
}

/** True for nodes written in the source; an empty value (`key:`) has nothing to point at. */
function hasRange(node: unknown): node is Node {
  if (isScalar(node) && node.range != null && node.range[0] === node.range[1]) return false;
  return (isMap(node) || isSeq(node) || isScalar(node)) && node.range != null;
}

/** Where the key at `path` of a document is written: its file, line and column. */
export function positionOf(document: { readonly file: string; readonly source: YamlSource }, path: readonly PropertyKey[]): SourcePosition {
  return { file: document.file, ...locate(document.source, path, 'key') };
}

/** `items` sorted (in place) by where they are defined (object key order puts numeric names first). */
export function inFileOrder<T extends { position?: SourcePosition }>(items: T[]): T[] {
  return items.sort((a, b) => (a.position?.line ?? 0) - (b.position?.line ?? 0) || (a.position?.col ?? 0) - (b.position?.col ?? 0));
}
