/**
 * FieldSelector: a parsed Kubernetes field selector (k8s.io/apimachinery/pkg/fields):
 * comma-separated `field=value`, `field==value` or `field!=value` terms, where `\,`, `\=`
 * and `\\` escape those characters in values. Nothing is trimmed, as on the API server.
 */
import type { KubeObject } from '../k8s.ts';
import { SelectorError, describeFound } from './selector-error.ts';

/**
 * Fields every Kubernetes resource supports in a field selector, and the only ones the
 * files source can evaluate. The API server supports more per resource (e.g.
 * `spec.nodeName` for pods); parse those with `{ anyField: true }`.
 */
export const SUPPORTED_FIELDS: readonly string[] = Object.freeze(['metadata.name', 'metadata.namespace']);

/** `==` is parsed as `=` (they are synonyms). */
export type FieldOperator = '=' | '!=';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  /** The unescaped value. */
  readonly value: string;
}

export interface FieldSelectorOptions {
  /**
   * Accept any non-empty field name instead of only SUPPORTED_FIELDS; matching then reads
   * the dotted path from the object (missing = ""). Default false.
   */
  anyField?: boolean;
}

/** A conjunction of field requirements. Immutable. The empty selector matches everything. */
export class FieldSelector {
  /** Requirements sorted by field, operator, value; duplicates removed. */
  readonly requirements: readonly FieldRequirement[];

  constructor(requirements: readonly FieldRequirement[]) {
    const sorted = requirements.map((req) => Object.freeze({ ...req })).sort(compareFieldRequirements);
    this.requirements = Object.freeze(
      sorted.filter((req, i) => i === 0 || compareFieldRequirements(sorted[i - 1]!, req) !== 0),
    );
  }

  /** True when the selector has no requirement and so matches every object. */
  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  /** True when the object satisfies every term; a missing field reads as "". */
  matches(obj: KubeObject): boolean {
    return this.requirements.every((req) => (fieldValue(obj, req.field) === req.value) === (req.operator === '='));
  }

  /** The canonical text: terms sorted, `==` written as `=`, values escaped. Parses back to an equal selector. */
  toString(): string {
    return this.requirements.map((req) => `${req.field}${req.operator}${escapeFieldValue(req.value)}`).join(',');
  }
}

function compareFieldRequirements(a: FieldRequirement, b: FieldRequirement): number {
  for (const key of ['field', 'operator', 'value'] as const) {
    if (a[key] !== b[key]) return a[key] < b[key] ? -1 : 1;
  }
  return 0;
}

/** The value of a field of an object as a field selector sees it: a string, "" when missing. */
export function fieldValue(obj: KubeObject, field: string): string {
  if (field === 'metadata.name') return obj.metadata.name;
  if (field === 'metadata.namespace') return obj.metadata.namespace ?? '';
  let value: unknown = obj;
  for (const part of field.split('.')) {
    if (value === null || typeof value !== 'object') return '';
    value = (value as Record<string, unknown>)[part];
  }
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

/** Escapes `\`, `,` and `=` in a field selector value. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/**
 * Parses a field selector. Only `metadata.name` and `metadata.namespace` are accepted unless
 * `options.anyField`; any other field is a SelectorError naming it and the supported ones.
 * Empty terms (`a=b,,c=d`) are skipped, as Kubernetes does.
 */
export function parseFieldSelector(text: string, options: FieldSelectorOptions = {}): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const term of splitTerms(text)) {
    if (term.text !== '') requirements.push(parseTerm(text, term, options));
  }
  return new FieldSelector(requirements);
}

interface Term {
  text: string;
  offset: number;
}

/** Splits at commas not escaped by a backslash, keeping each term's offset. */
function splitTerms(text: string): Term[] {
  const terms: Term[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    if (escaped) escaped = false;
    else if (text[i] === '\\') escaped = true;
    else if (text[i] === ',') {
      terms.push({ text: text.slice(start, i), offset: start });
      start = i + 1;
    }
  }
  terms.push({ text: text.slice(start), offset: start });
  return terms;
}

const OPERATORS = ['!=', '==', '='] as const;

function parseTerm(selector: string, term: Term, options: FieldSelectorOptions): FieldRequirement {
  const fail = (offset: number, found: string, expected: string): never => {
    throw new SelectorError({ kind: 'field', selector, offset, found, expected });
  };
  for (let i = 0; i < term.text.length; i++) {
    const op = OPERATORS.find((candidate) => term.text.startsWith(candidate, i));
    if (op === undefined) continue;
    const field = term.text.slice(0, i);
    checkField(field, options, (expected) => fail(term.offset, describeFound(field), expected));
    const valueOffset = term.offset + i + op.length;
    const value = unescapeFieldValue(term.text.slice(i + op.length), (at, found, expected) =>
      fail(valueOffset + at, found, expected),
    );
    return { field, operator: op === '!=' ? '!=' : '=', value };
  }
  return fail(term.offset, describeFound(term.text), 'a term <field>=<value>, <field>==<value> or <field>!=<value>');
}

function checkField(field: string, options: FieldSelectorOptions, fail: (expected: string) => never): void {
  if (field === '') fail('a field name before the operator');
  if (!options.anyField && !SUPPORTED_FIELDS.includes(field)) {
    fail(`a supported field (${SUPPORTED_FIELDS.join(', ')})`);
  }
}

type UnescapeFailure = (offset: number, found: string, expected: string) => never;

function unescapeFieldValue(raw: string, fail: UnescapeFailure): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '=') fail(i, "'='", "'\\=' (an '=' in a value must be escaped)");
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = raw[i + 1];
    if (next !== '\\' && next !== ',' && next !== '=') {
      fail(i, describeFound(raw.slice(i, i + 2)), "one of '\\\\', '\\,' or '\\=' (the only escapes)");
    }
    out += next;
    i++;
  }
  return out;
}
