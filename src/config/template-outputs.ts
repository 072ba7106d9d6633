/**
 * The keys of a template that shape its output besides `output` itself: `vars` (values for
 * the template, also at the top level), `for_each` (one output file per object or list
 * element) and `owner`. Their schemas, the checks that need the whole templates section,
 * and how vars of the two levels merge.
 */
import { posix } from 'node:path';
import { z } from 'zod';
import { describeValue } from '../text/describe-value.ts';
import type { OwnerConfig } from './types.ts';

/** A var name: `vars.<name>` in a template, so an identifier. */
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names of properties every JavaScript object has; as var names they would shadow them. */
const RESERVED_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));
/** A user or group name as useradd(8) accepts it (portable: letters, digits, _ . -, not starting with -). */
const ACCOUNT_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/;
/** The largest uid or gid (2^32 - 2: -1 means "unchanged" to chown). */
const MAX_ID = 2 ** 32 - 2;
/** Marks in a text that make it a template. */
const TEMPLATE_MARKS = /\{\{|\{%|\{#/;

/** Marks an issue that belongs at a key (a name, a key that is not allowed there). */
const AT_KEY = { at: 'key' } as const;

/** A plain YAML value: text, a number, true/false, null, or lists and mappings of those. */
function plainValue() {
  return z.json({
    error: (issue) => `expected text, a number, true or false, null, or a list or mapping of those; got ${describeValue(issue.input)}`,
  });
}

/** `vars`: a mapping of names to plain values, which templates read as `vars.<name>`. */
export function varsField(description: string) {
  return z
    .record(z.string(), plainValue(), {
      error: (issue) => (issue.code === 'invalid_type' ? `expected a mapping of names to values, got ${describeValue(issue.input)}` : undefined),
    })
    .superRefine((vars, ctx) => {
      for (const name of Object.keys(vars)) {
        const message = varNameProblem(name);
        if (message !== undefined) ctx.addIssue({ code: 'custom', path: [name], message, params: AT_KEY });
      }
    })
    .meta({ description, propertyNames: { pattern: VAR_NAME.source } });
}

/** Why `name` cannot name a var, or undefined when it can. */
export function varNameProblem(name: string): string | undefined {
  if (!VAR_NAME.test(name)) {
    return `invalid var name ${JSON.stringify(name)}: templates read it as vars.<name>, so use letters, digits and _ and do not start with a digit`;
  }
  if (RESERVED_NAMES.has(name)) return `invalid var name ${JSON.stringify(name)}: it is reserved (every JavaScript object has it)`;
  return undefined;
}

/**
 * The vars a template sees: the top-level `vars` with the template's own merged over them.
 * Mappings merge key by key (recursively); anything else (text, numbers, lists) the
 * template sets replaces the top-level value. The result is deep-frozen.
 */
export function mergeVars(base: Readonly<Record<string, unknown>>, own: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  return deepFreeze(mergeMappings(base, own));
}

function mergeMappings(base: Readonly<Record<string, unknown>>, own: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(own)) {
    const under = merged[key];
    merged[key] = isMapping(under) && isMapping(value) ? mergeMappings(under, value) : value;
  }
  return merged;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** `for_each`: a watched resource's name, or `{import, list}`: a list a template file exports. */
export function forEachField() {
  const fromList = z
    .strictObject(
      {
        import: z
          .string({ error: (issue) => `expected a template file, got ${describeValue(issue.input)}` })
          .min(1, { error: 'must not be empty' })
          .meta({ description: 'A template file (nunjucks), relative to the config file, imported with the context (resources, vars) once per render.' }),
        list: z
          .string({ error: (issue) => `expected the name of a list the file exports, got ${describeValue(issue.input)}` })
          .regex(VAR_NAME, { error: (issue) => `invalid name ${JSON.stringify(issue.input)}: the name of a top-level {% set %} of the file` })
          .meta({ description: 'The name of a list the file sets at its top level: one output file per element.' }),
      },
      { error: (issue) => (issue.code === 'invalid_type' ? 'expected a watched resource name, or a mapping with import and list' : undefined) },
    )
    .meta({ description: 'One output file per element of a list that a template file computes.' });
  return z
    .union([z.string().min(1).meta({ description: 'One output file per object of this watched resource.' }), fromList], {
      error: (issue) => `expected a watched resource name, or a mapping with import and list; got ${describeValue(issue.input)}`,
    })
    .meta({ description: 'Render the template once per object of a watched resource (or per element of a computed list), each into its own file; `object` is the object (element) in the template and in `output`.' });
}

/** `owner`: "user", "user:group", ":group" (names or numeric ids), or a uid as a number. */
export function ownerField(description: string) {
  return z
    .union([z.string(), z.number()], { error: (issue) => `expected "user:group" (names or numbers), got ${describeValue(issue.input)}` })
    .superRefine((value, ctx) => {
      const message = parseOwner(value).problem;
      if (message !== undefined) ctx.addIssue({ code: 'custom', message });
    })
    .meta({ description });
}

/** The owner a config value names, or what is wrong with it. */
export function parseOwner(value: string | number): { owner?: OwnerConfig; problem?: string } {
  const text = String(value);
  const [user = '', group, ...rest] = text.split(':');
  if (rest.length > 0 || (user === '' && (group === undefined || group === ''))) {
    return { problem: `invalid owner ${JSON.stringify(text)}: write user, user:group or :group (names or numeric ids)` };
  }
  const owner: OwnerConfig = {};
  for (const [key, part] of [['user', user], ['group', group ?? '']] as const) {
    if (part === '') continue;
    const id = accountId(part);
    if (id === undefined && !ACCOUNT_NAME.test(part)) {
      return { problem: `invalid ${key} ${JSON.stringify(part)} in owner: use a name (letters, digits, _ . -) or a numeric id from 0 to ${MAX_ID}` };
    }
    owner[key] = id ?? part;
  }
  return { owner };
}

function accountId(part: string): number | undefined {
  if (!/^[0-9]{1,10}$/.test(part)) return undefined;
  const id = Number(part);
  return id <= MAX_ID ? id : undefined;
}

/** What the templates section checks across templates: raw templates by name. */
type RawTemplates = Record<string, { output?: unknown; for_each?: unknown; backup?: unknown } | undefined>;

/**
 * Problems of per-object outputs: the file name (last part of `output`) must depend on the
 * object and the folder must not, two for_each templates may not share a folder, a
 * resource named by for_each must be watched, and backup does not apply. Each at its path
 * below `templates`.
 */
export function forEachProblems(templates: RawTemplates, resources: readonly string[]): Array<{ path: PropertyKey[]; message: string; atKey?: boolean }> {
  const problems: Array<{ path: PropertyKey[]; message: string; atKey?: boolean }> = [];
  const folders = new Map<string, string>();
  for (const [name, template] of Object.entries(templates)) {
    const forEach = template?.for_each;
    if (forEach === undefined) {
      if (typeof template?.output === 'string' && TEMPLATE_MARKS.test(template.output)) {
        problems.push({ path: [name, 'output'], message: 'only a template with for_each has a file name that is a template ({{ ... }})' });
      }
      continue;
    }
    if (typeof forEach === 'string' && !resources.includes(forEach)) {
      const known = resources.length > 0 ? resources.join(', ') : 'none';
      problems.push({ path: [name, 'for_each'], message: `unknown watched resource ${JSON.stringify(forEach)}; watched resources: ${known}` });
    }
    if (template?.backup === true) problems.push({ path: [name, 'backup'], message: 'backup is not available with for_each', atKey: true });
    if (typeof template?.output !== 'string') continue;
    const problem = outputPatternProblem(template.output);
    if (problem !== undefined) {
      problems.push({ path: [name, 'output'], message: problem });
      continue;
    }
    const folder = posix.normalize(posix.dirname(template.output));
    const other = folders.get(folder);
    if (other === undefined) folders.set(folder, name);
    else problems.push({ path: [name, 'output'], message: `template ${JSON.stringify(other)} writes its files into the same folder; give each for_each template a folder of its own` });
  }
  return problems;
}

/** Why `output` cannot be the output of a for_each template, or undefined when it can. */
function outputPatternProblem(output: string): string | undefined {
  const slash = output.lastIndexOf('/');
  const folder = slash < 0 ? '' : output.slice(0, slash);
  const name = output.slice(slash + 1);
  if (TEMPLATE_MARKS.test(folder)) {
    return 'only the file name may be a template: the folder (everything before the last "/") is fixed, so that no object can write outside it';
  }
  if (!name.includes('{{')) {
    return 'the file name must depend on the object, e.g. "certs/{{ object.metadata.namespace }}_{{ object.metadata.name }}.pem": otherwise every object writes the same file';
  }
  return undefined;
}
