/**
 * Turns the text of one manifest file into Kubernetes objects with their positions.
 * `.json` files are parsed as JSON (far faster and smaller than through a YAML parser);
 * positions there name the list item (`items[3]`). YAML goes through the yaml package one
 * document at a time, each reported with line and column; a `.json` file that is not
 * valid JSON goes that way too, so its syntax error is located (JSON is YAML).
 * Multi-document files are split, empty documents skipped, and `List` kinds (`kind:
 * List`, or any `*List` kind with `items`) flattened. Every object is checked against
 * the limits (object-limits.ts) before anything walks it.
 */
import { extname } from 'node:path';
import { Composer, LineCounter, Parser, isMap, isSeq, type Document, type Node } from 'yaml';
import { DEFAULT_LIMITS } from '../../config/index.ts';
import type { KubeObject } from '../../k8s.ts';
import { describeValue } from '../../text/describe-value.ts';
import { limitProblem, type ObjectLimits } from '../object-limits.ts';
import { ManifestError } from './manifest-error.ts';

/** Parser limits; they keep a hostile or broken file from exhausting memory. */
export const DEFAULTS = Object.freeze({
  /** Alias expansions per document (the yaml package's default): stops "billion laughs". */
  maxAliasCount: 100,
});

/** An object read from a manifest file, with where it starts (no line and column in a JSON file). */
export interface ManifestObject {
  obj: KubeObject;
  file: string;
  line?: number;
  col?: number;
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

/** How positions are found: YAML nodes have ranges; JSON values have a path (`items[3]`). */
interface Locator<N> {
  readonly file: string;
  /** Line and column of `node`, when known. */
  position(node: N): { line?: number; col?: number };
  /** What names `node` in a reason when it has no position ("items[3]: "), or "". */
  prefix(node: N): string;
  /** The node of the `items` of the list at `node` (the list's own when it has none). */
  items(node: N): N;
  /** The node of item `index` of the list at `node`. */
  item(node: N, index: number): N;
}

/** Parses one manifest file's text. Never throws; problems are returned. */
export function parseManifest(file: string, text: string, limits: ObjectLimits = DEFAULT_LIMITS): ParsedManifest {
  if (extname(file).toLowerCase() === '.json') {
    const parsed = parseJson(file, text, limits);
    if (parsed !== undefined) return parsed;
  }
  return parseYaml(file, text, limits);
}

/** The objects of a JSON file; undefined when it is not valid JSON (the YAML parser then says where). */
function parseJson(file: string, text: string, limits: ObjectLimits): ParsedManifest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text); // iterative in V8: any nesting parses, and the limits check it next
  } catch {
    return undefined;
  }
  const locator: Locator<string> = {
    file,
    position: () => ({}),
    prefix: (path) => (path === '' ? '' : `${path}: `),
    items: () => 'items',
    item: (_path, index) => `items[${index}]`,
  };
  const result: ParsedManifest = { objects: [], problems: [], unparsable: false };
  collect(locator, value, '', result, limits);
  return result;
}

/** The objects of a YAML file, read one document at a time. */
function parseYaml(file: string, text: string, limits: ObjectLimits): ParsedManifest {
  const lines = new LineCounter();
  const locator = yamlLocator(file, lines);
  const result: ParsedManifest = { objects: [], problems: [], unparsable: false };
  const syntax: ManifestError[] = [];
  try {
    const composer = new Composer({ prettyErrors: false, merge: true });
    for (const doc of composer.compose(new Parser(lines.addNewLine).parse(text), true)) {
      if (doc.errors.length > 0) syntax.push(...doc.errors.map((e) => problemAtOffset(file, lines, e.pos[0], e.message, e)));
      else if (syntax.length === 0) readDocument(locator, lines, doc, result, limits);
    }
  } catch (err) {
    // The yaml package recurses into nested nodes: nesting deep enough overflows it.
    return { objects: [], unparsable: true, problems: [problemAtOffset(file, lines, 0, `cannot be parsed: ${(err as Error).message}`, err)] };
  }
  if (syntax.length > 0) return { objects: [], unparsable: true, problems: syntax };
  return result;
}

/** Collects the objects of one well-formed document (a bad alias expansion makes the file unparsable). */
function readDocument(
  locator: Locator<Node | null | undefined>,
  lines: LineCounter,
  doc: Document.Parsed,
  result: ParsedManifest,
  limits: ObjectLimits,
): void {
  if (doc.contents === null) return;
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: DEFAULTS.maxAliasCount });
  } catch (err) {
    result.unparsable = true;
    result.objects = [];
    result.problems.push(problemAtOffset(locator.file, lines, doc.range[0], err instanceof Error ? err.message : String(err), err));
    return;
  }
  if (value !== null && !result.unparsable) collect(locator, value, doc.contents, result, limits);
}

function yamlLocator(file: string, lines: LineCounter): Locator<Node | null | undefined> {
  return {
    file,
    position: (node) => lines.linePos(node?.range?.[0] ?? 0),
    prefix: () => '',
    items: (node) => (isMap(node) ? ((node.get('items', true) as Node | undefined) ?? node) : node),
    item: (node, index) => {
      const items = isMap(node) ? node.get('items', true) : undefined;
      return isSeq(items) ? ((items.items[index] as Node | undefined) ?? node) : node;
    },
  };
}

function problemAt<N>(locator: Locator<N>, node: N, reason: string, cause?: unknown): ManifestError {
  return new ManifestError(`${locator.prefix(node)}${reason}`, { file: locator.file, ...locator.position(node) }, { cause });
}

/** A problem at a character offset of a YAML file (syntax errors, whole documents). */
function problemAtOffset(file: string, lines: LineCounter, offset: number, reason: string, cause?: unknown): ManifestError {
  return new ManifestError(reason, { file, ...lines.linePos(offset) }, { cause });
}

function collect<N>(locator: Locator<N>, value: unknown, node: N, out: ParsedManifest, limits: ObjectLimits): void {
  if (!isPlainObject(value)) {
    out.problems.push(problemAt(locator, node, `document is not a mapping (found ${describeValue(value)})`));
    return;
  }
  if (isListKind(value)) {
    collectItems(locator, value, node, out, limits);
    return;
  }
  const problem = objectProblem(value) ?? exceedsLimits(value, limits);
  if (problem !== undefined) {
    out.problems.push(problemAt(locator, node, problem));
    return;
  }
  out.objects.push({ obj: normalizeMetadata(value as KubeObject), file: locator.file, ...locator.position(node) });
}

/** Why a well-formed object is over the limits, naming it; undefined when it is within them. */
function exceedsLimits(value: Record<string, unknown>, limits: ObjectLimits): string | undefined {
  const problem = limitProblem(value, limits);
  if (problem === undefined) return undefined;
  const meta = value.metadata as { name: string; namespace?: unknown };
  const id = typeof meta.namespace === 'string' && meta.namespace !== '' ? `${meta.namespace}/${meta.name}` : meta.name;
  return `${String(value.kind)} ${id} refused: ${problem}`;
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
function collectItems<N>(locator: Locator<N>, list: Record<string, unknown>, node: N, out: ParsedManifest, limits: ObjectLimits): void {
  const items = list.items ?? [];
  if (!Array.isArray(items)) {
    out.problems.push(problemAt(locator, locator.items(node), `items of a ${String(list.kind)} must be a sequence`));
    return;
  }
  const kind = list.kind === 'List' ? undefined : String(list.kind).slice(0, -'List'.length);
  items.forEach((item, i) => {
    if (kind !== undefined && isPlainObject(item)) {
      item.apiVersion ??= list.apiVersion;
      item.kind ??= kind;
    }
    collect(locator, item, locator.item(node, i), out, limits);
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
