/**
 * Reading and digesting data in templates:
 * - `sha256`: the SHA-256 of a text's UTF-8 bytes (numbers and booleans as text), as 64 hex
 *   digits, e.g. to name a file by its content or put a checksum in a config;
 * - `parse_json`, `parse_yaml`: a JSON or YAML text (an annotation, a ConfigMap key, a
 *   file) as data. Errors say where the text is wrong, never what it holds (it may come
 *   from a tenant's object or a Secret). YAML aliases are expanded at most 100 times per
 *   text, so a small text cannot expand into a huge one.
 * What they return is data like any other: printing it still passes the line check.
 */
import { createHash } from 'node:crypto';
import YAML from 'yaml';
import { FilterError } from '../errors.ts';

export function sha256(value: unknown): string {
  const text = typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
  if (typeof text !== 'string') throw new FilterError('sha256', `expected a text, got ${kind(value)}`);
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function parseJson(value: unknown): unknown {
  const text = expectText('parse_json', value);
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8's message quotes the text; only the position is kept.
    const position = /position (\d+)/.exec((err as Error).message)?.[1];
    throw new FilterError('parse_json', `not valid JSON${position === undefined ? '' : ` at character ${Number(position) + 1}`} (${describe(text)})`);
  }
}

export function parseYaml(value: unknown): unknown {
  const text = expectText('parse_yaml', value);
  const documents = YAML.parseAllDocuments(text);
  const list = Array.isArray(documents) ? documents : [documents];
  if (list.length > 1) throw new FilterError('parse_yaml', `the text holds ${list.length} YAML documents; expected one`);
  const document = list[0];
  const error = document?.errors[0];
  if (error) {
    // The yaml package's messages quote the text around the error; only the place is kept.
    const at = error.linePos?.[0];
    throw new FilterError('parse_yaml', `not valid YAML${at ? ` at line ${at.line}, column ${at.col}` : ''}: ${error.code} (${describe(text)})`);
  }
  try {
    return document ? document.toJS({ maxAliasCount: 100 }) : null;
  } catch (err) {
    const excessive = /Excessive alias count/.test((err as Error).message);
    throw new FilterError('parse_yaml', `cannot read the YAML: ${excessive ? 'aliases expand too far (more than 100)' : 'an alias before its anchor'}`);
  }
}

function expectText(filter: string, value: unknown): string {
  if (typeof value !== 'string') throw new FilterError(filter, `expected a text, got ${kind(value)}`);
  return value;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function describe(text: string): string {
  return `a text of ${text.length} character${text.length === 1 ? '' : 's'}`;
}
