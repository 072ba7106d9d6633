/**
 * docs/config.md: the reference of every config key, generated from the same JSON Schema
 * as docs/config.schema.json (so it cannot drift from the validator; `npm run schema`
 * writes both and a test checks both). One section per top-level key, one table row per
 * key below it: its path, type, default and description.
 */
import { DURATION_PATTERN } from './duration.ts';
import { BYTE_SIZE_PATTERN } from './byte-size.ts';
import { configJsonSchema } from './json-schema.ts';

/** A JSON Schema node, as far as the reference reads it. */
interface Node {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  pattern?: string;
  properties?: Record<string, Node>;
  additionalProperties?: Node | boolean;
  items?: Node;
  anyOf?: Node[];
  oneOf?: Node[];
  required?: string[];
}

interface Row {
  path: string;
  node: Node;
  required: boolean;
}

/** docs/config.md as text. */
export function configReferenceMarkdown(): string {
  const schema = configJsonSchema() as Node;
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Generated from the config schema by `npm run schema`; do not edit. -->',
    '',
    'Every key of `config.yaml`, its type, default and meaning. The same schema validates the file',
    '(unknown keys are errors) and is published as [config.schema.json](config.schema.json) for',
    'editors. Durations are a number and a unit (`200ms`, `10s`, `1m30s`, `1h`); sizes are bytes or',
    'a number with a unit (`512Ki`, `4Mi`, `1Gi`). `<name>` stands for a name you choose.',
    '',
  ];
  for (const [key, node] of Object.entries(schema.properties ?? {})) {
    lines.push(`## ${key}`, '', ...(node.description ? [node.description, ''] : []));
    lines.push('| key | type | default | description |', '|---|---|---|---|');
    for (const row of rowsOf(key, node, (schema.required ?? []).includes(key))) lines.push(tableRow(row));
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The row of `node` at `path` and of every key below it, depth first. */
function rowsOf(path: string, node: Node, required: boolean): Row[] {
  const rows: Row[] = [{ path, node, required }];
  const object = objectOf(node);
  if (object === undefined) return rows;
  const { target, suffix } = object;
  for (const [key, child] of Object.entries(target.properties ?? {})) {
    rows.push(...rowsOf(`${path}${suffix}.${key}`, child, (target.required ?? []).includes(key)));
  }
  return rows;
}

/** The object whose keys are listed below `node`: itself, a named map's values (`.<name>`), a list's items (`[]`). */
function objectOf(node: Node): { target: Node; suffix: string } | undefined {
  if (node.properties) return { target: node, suffix: '' };
  if (typeof node.additionalProperties === 'object' && node.additionalProperties.properties) {
    return { target: node.additionalProperties, suffix: '.<name>' };
  }
  if (node.items?.properties) return { target: node.items, suffix: '[]' };
  return undefined;
}

function tableRow({ path, node, required }: Row): string {
  const defaultText = node.default === undefined ? (required ? 'required' : '') : `\`${JSON.stringify(node.default)}\``;
  return `| \`${path}\` | ${escape(typeOf(node))} | ${defaultText} | ${escape(node.description ?? '')} |`;
}

function typeOf(node: Node): string {
  if (node.enum) return node.enum.map((value) => String(value)).join(' | ');
  if (node.pattern === DURATION_PATTERN) return 'duration';
  const alternatives = node.anyOf ?? node.oneOf;
  if (alternatives) return alternatives.some((n) => n.pattern === BYTE_SIZE_PATTERN) ? 'size' : alternatives.map(typeOf).join(' or ');
  if (Array.isArray(node.type)) return node.type.map((type) => typeOf({ ...node, type })).join(' or ');
  if (node.type === 'array') return node.items ? `list of ${typeOf(node.items)}` : 'list';
  if (node.type === 'object') return typeof node.additionalProperties === 'object' ? 'mapping of names' : 'mapping';
  if (node.type === 'integer') return 'whole number';
  if (node.type === 'boolean') return 'true or false';
  if (node.type === 'number') return 'number';
  return node.type === 'string' ? 'text' : (node.type ?? 'any');
}

function escape(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
