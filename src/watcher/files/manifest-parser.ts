/**
 * Turns the text of one manifest file into Kubernetes objects with their positions.
 * YAML and JSON go through the same parser (JSON is YAML 1.2), so both report syntax
 * errors with line and column. Multi-document files are split, empty documents skipped,
 * and `List` kinds (`kind: List`, or any `*List` kind with `items`) flattened.
 */
import { LineCounter, isMap, isSeq, parseAllDocuments, type Node } from 'yaml';
import type { KubeObject } from '../../k8s.ts';
import { describeValue } from '../../text/describe-value.ts';
import { ManifestError } from './manifest-error.ts';

/** Parser limits; they keep a hostile or broken file from exhausting memory. */
export const DEFAULTS = Object.freeze({
  /** Alias expansions per document (the yaml package's default): stops "billion laughs". */
  maxAliasCount: 100,
});

/** An object read from a manifest file, with where it starts. */
export interface ManifestObject {
  obj: KubeObject;
  file: string;
  line: number;
  col: number;
}

/** The outcome of parsing one file. */
export interface ParsedManifest {
  /** The objects that are valid Kubernetes objects, in file order. */
  objects: ManifestObject[];
  /** Everything wrong with the file or its documents; valid objects are still returned. */
  problems: ManifestError[];
  /**
   * True when the file as a whole does not parse (a syntax error anywhere): `objects` is
   * empty and the caller should keep what it last loaded from this file.
   */
  unparsable: boolean;
}

interface Located {
  file: string;
  lines: LineCounter;
}

/** Parses one manifest file's text. Never throws; problems are returned. */
export function parseManifest(file: string, text: string): ParsedManifest {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, merge: true });
  const at: Located = { file, lines };
  const syntaxErrors = docs.flatMap((doc) => doc.errors);
  if (syntaxErrors.length > 0) {
    return { objects: [], unparsable: true, problems: syntaxErrors.map((e) => problemAt(at, e.pos[0], e.message, e)) };
  }
  const result: ParsedManifest = { objects: [], problems: [], unparsable: false };
  for (const doc of docs) {
    if (doc.contents === null) continue;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: DEFAULTS.maxAliasCount });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { objects: [], unparsable: true, problems: [problemAt(at, doc.range[0], message, err)] };
    }
    if (value !== null) collect(at, value, doc.contents, result);
  }
  return result;
}

function problemAt(at: Located, offset: number, reason: string, cause?: unknown): ManifestError {
  const { line, col } = at.lines.linePos(offset);
  return new ManifestError(reason, { file: at.file, line, col }, { cause });
}

function collect(at: Located, value: unknown, node: Node | null | undefined, out: ParsedManifest): void {
  const offset = node?.range?.[0] ?? 0;
  if (!isPlainObject(value)) {
    out.problems.push(problemAt(at, offset, `document is not a mapping (found ${describeValue(value)})`));
    return;
  }
  if (isListKind(value)) {
    collectItems(at, value, node, out);
    return;
  }
  const problem = objectProblem(value);
  if (problem !== undefined) {
    out.problems.push(problemAt(at, offset, problem));
    return;
  }
  const { line, col } = at.lines.linePos(offset);
  out.objects.push({ obj: normalizeMetadata(value as KubeObject), file: at.file, line, col });
}

/** Drops a null or empty namespace and null labels, so "no namespace" has one shape. */
function normalizeMetadata(obj: KubeObject): KubeObject {
  const meta = obj.metadata as Record<string, unknown>;
  if (meta.namespace === null || meta.namespace === '') delete meta.namespace;
  if (meta.labels === null) delete meta.labels;
  return obj;
}

/** `kind: List`, or a typed list such as `ServiceList` that has an `items` sequence. */
function isListKind(value: Record<string, unknown>): boolean {
  const kind = value.kind;
  return kind === 'List' || (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(value.items));
}

/**
 * Collects the items of a list. Items of a typed list (`ServiceList`) that lack apiVersion
 * or kind get the list's apiVersion and the kind without "List", as the API server implies.
 */
function collectItems(at: Located, list: Record<string, unknown>, node: Node | null | undefined, out: ParsedManifest): void {
  const items = list.items ?? [];
  const itemsNode = isMap(node) ? node.get('items', true) : undefined;
  if (!Array.isArray(items)) {
    out.problems.push(problemAt(at, itemsNode?.range?.[0] ?? node?.range?.[0] ?? 0, `items of a ${String(list.kind)} must be a sequence`));
    return;
  }
  const kind = list.kind === 'List' ? undefined : String(list.kind).slice(0, -'List'.length);
  items.forEach((item, i) => {
    const itemNode = isSeq(itemsNode) ? (itemsNode.items[i] as Node | undefined) : undefined;
    if (kind !== undefined && isPlainObject(item)) {
      item.apiVersion ??= list.apiVersion;
      item.kind ??= kind;
    }
    collect(at, item, itemNode ?? node, out);
  });
}

/** Why `value` is not a usable Kubernetes object, or undefined. */
export function objectProblem(value: Record<string, unknown>): string | undefined {
  const kind = typeof value.kind === 'string' && value.kind !== '' ? value.kind : undefined;
  const what = kind === undefined ? 'object' : `${kind} object`;
  if (typeof value.apiVersion !== 'string' || value.apiVersion === '') return `${what} has no apiVersion`;
  if (kind === undefined) return 'object has no kind';
  const meta = value.metadata;
  if (!isPlainObject(meta)) return `${what} has no metadata`;
  if (typeof meta.name !== 'string' || meta.name === '') return `${what} has no metadata.name`;
  const named = `${kind} ${meta.name}`;
  if (meta.namespace !== undefined && meta.namespace !== null && typeof meta.namespace !== 'string') {
    return `${named}: metadata.namespace must be a string (found ${describeValue(meta.namespace)})`;
  }
  return labelsProblem(named, meta.labels);
}

function labelsProblem(named: string, labels: unknown): string | undefined {
  if (labels === undefined || labels === null) return undefined;
  if (!isPlainObject(labels)) return `${named}: metadata.labels must be a mapping (found ${describeValue(labels)})`;
  for (const [key, value] of Object.entries(labels)) {
    if (typeof value !== 'string') {
      return `${named}: label ${JSON.stringify(key)} must be a string (found ${describeValue(value)}; quote it)`;
    }
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
