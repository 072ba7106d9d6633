/**
 * Turns zod issues into ConfigProblems: a position in the file, a readable key path and a
 * message in the user's terms (unknown keys get a "did you mean" or the allowed keys).
 */
import type { z } from 'zod';
import { editDistance } from '../text/edit-distance.ts';
import type { ConfigProblem } from './errors.ts';
import { locate, type YamlSource } from './positions.ts';

/** What issue mapping needs besides the issues. */
export interface IssueContext {
  readonly file: string;
  readonly source: YamlSource;
  /** The data that was validated (the YAML as plain values). */
  readonly data: unknown;
  /** The schema that produced the issues, for the keys allowed where an unknown one is. */
  readonly schema: z.ZodType;
}

/** One problem per issue (one per key for unknown keys), sorted by position. */
export function issuesToProblems(issues: readonly z.core.$ZodIssue[], context: IssueContext): ConfigProblem[] {
  const problems = issues.flatMap((issue) => issueProblems(issue, context));
  return problems.sort((a, b) => a.line - b.line || a.col - b.col || a.path.localeCompare(b.path));
}

function issueProblems(issue: z.core.$ZodIssue, context: IssueContext): ConfigProblem[] {
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(context.schema, issue.path);
    return issue.keys.map((key) => problemAt(context, [...issue.path, key], 'key', unknownKeyMessage(key, allowed)));
  }
  if (isMissing(context.data, issue.path)) return [problemAt(context, issue.path, 'value', 'is required')];
  const at = issue.code === 'custom' && issue.params?.['at'] === 'key' ? 'key' : 'value';
  return [problemAt(context, issue.path, at, issue.message)];
}

/** A problem at `path` of a document: at its key or at its value. */
export function problemAt(
  context: { readonly file: string; readonly source: YamlSource },
  path: readonly PropertyKey[],
  at: 'key' | 'value',
  message: string,
): ConfigProblem {
  const { line, col } = locate(context.source, path, at);
  return { file: context.file, line, col, path: formatKeyPath(path), message };
}

/** `watched_resources.ingresses.index_by[1]`; keys that are not plain words are quoted: `templates["haproxy.cfg"]`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(String(segment))) out += out === '' ? String(segment) : `.${String(segment)}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/** True when the last key of `path` is absent from its (present) parent mapping. */
function isMissing(data: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return data === undefined;
  let parent = data;
  for (const segment of path.slice(0, -1)) {
    if (parent === null || typeof parent !== 'object') return false;
    parent = (parent as Record<PropertyKey, unknown>)[segment];
  }
  if (parent === null || typeof parent !== 'object' || Array.isArray(parent)) return false;
  const last = path[path.length - 1] as PropertyKey;
  return !Object.hasOwn(parent, last) || (parent as Record<PropertyKey, unknown>)[last] === undefined;
}

function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const suggestion = closest(key, allowed);
  if (suggestion !== undefined) return `unknown key ${JSON.stringify(key)}; did you mean ${JSON.stringify(suggestion)}?`;
  return allowed.length > 0 ? `unknown key ${JSON.stringify(key)}; allowed: ${allowed.join(', ')}` : `unknown key ${JSON.stringify(key)}`;
}

/** The allowed key closest to `key` (ignoring case, `_` and `-`), if it is close enough to be a typo. */
function closest(key: string, allowed: readonly string[]): string | undefined {
  const squash = (s: string) => s.toLowerCase().replaceAll(/[-_]/g, '');
  let best: { key: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = editDistance(squash(key), squash(candidate));
    if (best === undefined || distance < best.distance) best = { key: candidate, distance };
  }
  const limit = Math.max(1, Math.floor(key.length / 4));
  return best !== undefined && best.distance <= limit ? best.key : undefined;
}

/** The keys the schema allows in the mapping at `path` (names of a record are free, so none). */
function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: z.core.$ZodType | undefined = schema;
  for (const segment of path) {
    const def: z.core.$ZodTypeDef | undefined = unwrap(current)?._zod.def;
    if (def?.type === 'object') current = (def as z.core.$ZodObjectDef).shape[String(segment)];
    else if (def?.type === 'record') current = (def as z.core.$ZodRecordDef).valueType;
    else if (def?.type === 'array') current = (def as z.core.$ZodArrayDef).element;
    else return [];
  }
  const def = unwrap(current)?._zod.def;
  return def?.type === 'object' ? Object.keys((def as z.core.$ZodObjectDef).shape) : [];
}

/** The schema inside optional/default/prefault/pipe wrappers. */
function unwrap(schema: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
  let current = schema;
  for (;;) {
    const def = current?._zod.def as { type?: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType } | undefined;
    if (def?.innerType !== undefined) current = def.innerType;
    else if (def?.type === 'pipe' && def.in !== undefined) current = def.in;
    else return current;
  }
}
