/**
 * Field selectors (k8s.io/apimachinery/pkg/fields): `field=value`, `field==value`,
 * `field!=value`, joined by commas, with `\,` `\=` `\!` `\\` escapes. The test server
 * supports the fields every resource has, metadata.name and metadata.namespace, and the
 * Secret field `type` (read from any object's top-level `type`).
 */

/** The fields a field selector may test. */
export const SUPPORTED_FIELDS: readonly string[] = Object.freeze(['metadata.name', 'metadata.namespace', 'type']);

/** One term of a field selector. */
export interface FieldTerm {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** What a field selector is matched against. */
export interface FieldValues {
  readonly name: string;
  /** '' for cluster-scoped objects. */
  readonly namespace: string;
  /** The top-level `type` (Secrets), when it is a string. */
  readonly type?: string | undefined;
}

/** A parsed field selector: all terms must hold. */
export interface FieldSelector {
  readonly terms: readonly FieldTerm[];
  matches(values: FieldValues): boolean;
}

/** A field selector that does not parse or names an unsupported field. */
export class FieldSelectorError extends Error {
  override readonly name = 'FieldSelectorError';
}

/** Splits at every unescaped occurrence of `sep`, keeping escapes for the next step. */
function splitUnescaped(text: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + text[i + 1];
      i++;
    } else if (ch === sep) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/** Removes backslash escapes; a trailing lone backslash is invalid. */
function unescape(text: string): string {
  if (/(^|[^\\])(\\\\)*\\$/.test(text)) throw new FieldSelectorError(`invalid escape at the end of "${text}"`);
  return text.replace(/\\(.)/g, '$1');
}

/** Parses one `field op value` term. */
function parseTerm(term: string): FieldTerm {
  for (let i = 0; i < term.length; i++) {
    if (term[i] === '\\') {
      i++;
      continue;
    }
    const op = term.startsWith('!=', i) ? '!=' : term.startsWith('==', i) ? '==' : term[i] === '=' ? '=' : undefined;
    if (op === undefined) continue;
    const field = term.slice(0, i).trim();
    if (!SUPPORTED_FIELDS.includes(field)) throw new FieldSelectorError(`field label not supported: ${field}`);
    return { field, op: op === '!=' ? '!=' : '=', value: unescape(term.slice(i + op.length)) };
  }
  throw new FieldSelectorError(`invalid selector: '${term}'; can't understand '${term}'`);
}

/** The value a supported field has on an object. */
function fieldValue(field: string, values: FieldValues): string {
  if (field === 'type') return values.type ?? '';
  return field === 'metadata.name' ? values.name : values.namespace;
}

/**
 * Parses a field selector. The empty string selects everything; an unsupported field
 * throws `field label not supported: <field>`, as the real server answers.
 */
export function parseFieldSelector(text: string): FieldSelector {
  const terms = text.trim() === '' ? [] : splitUnescaped(text, ',').map(parseTerm);
  return {
    terms,
    matches: (values) =>
      terms.every((t) => (fieldValue(t.field, values) === t.value) === (t.op === '=')),
  };
}
