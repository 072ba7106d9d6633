/**
 * The small field schemas config.yaml is built from: mappings that refuse unknown keys,
 * names, path expressions, file modes, listen addresses and commands. Each one says what
 * is wrong in the user's terms.
 */
import { z } from 'zod';
import { PathError, compileRemoval, parsePath } from '../path/index.ts';
import { SelectorError, parseFieldSelector, parseLabelSelector } from '../selector/index.ts';
import { describeValue } from '../text/describe-value.ts';
import { isClusterName } from '../k8s-names.ts';

/** Names of properties every JavaScript object has; as names they would shadow them. */
const RESERVED_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/** `resources.<name>` in a template: a JavaScript identifier without `$`. */
const RESOURCE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A template name: safe in file names, URLs and metric labels (e.g. `haproxy.cfg`). */
const TEMPLATE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
/** An output file mode as an octal string: "644", "0644", "0755". */
const MODE = /^0?[0-7]{3}$/;
/** host:port with an optional host (IPv6 in brackets); the port is checked separately. */
const LISTEN = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]*):([0-9]{1,5})$/;
/** DNS-1123 label (namespaces) and subdomain (Lease names). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** `v1`, `apps/v1`, `networking.k8s.io/v1beta1`. */
const API_VERSION = /^(?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function expectedMapping(input: unknown): string {
  const hint = input === null ? '; write {} for an empty mapping' : '';
  return `expected a mapping (key: value lines), got ${describeValue(input)}${hint}`;
}

/** A mapping with exactly these keys (unknown keys are errors). */
export function mapping<T extends z.ZodRawShape>(shape: T, description: string) {
  return z
    .strictObject(shape, {
      error: (issue) =>
        issue.code === 'invalid_type' ? expectedMapping(issue.input) : undefined,
    })
    .meta({ description });
}

/**
 * A mapping from user-chosen names to entries (watched_resources, templates). The names
 * are checked by a refinement (so entries with a bad name are still validated); the
 * pattern only tells editors.
 */
export function namedMap<T extends z.ZodType>(entry: T, names: 'resource' | 'template', description: string) {
  const pattern = (names === 'resource' ? RESOURCE_NAME : TEMPLATE_NAME).source;
  return z
    .record(z.string(), entry, {
      error: (issue) =>
        issue.code === 'invalid_type' ? `expected a mapping of names to entries, got ${describeValue(issue.input)}` : undefined,
    })
    .meta({ description, propertyNames: { pattern } });
}

/** Why `name` cannot name a watched resource, or undefined when it can. */
export function resourceNameProblem(name: string): string | undefined {
  if (!RESOURCE_NAME.test(name)) {
    return `invalid name ${JSON.stringify(name)}: templates use it as resources.<name>, so use letters, digits and _ and do not start with a digit`;
  }
  if (RESERVED_NAMES.has(name)) return `invalid name ${JSON.stringify(name)}: it is reserved (every JavaScript object has it)`;
  return undefined;
}

/** Why `name` cannot name a template, or undefined when it can. */
export function templateNameProblem(name: string): string | undefined {
  if (!TEMPLATE_NAME.test(name)) {
    return `invalid template name ${JSON.stringify(name)}: use letters, digits, _, - and . and start with a letter, digit or _`;
  }
  if (RESERVED_NAMES.has(name)) return `invalid template name ${JSON.stringify(name)}: it is reserved (every JavaScript object has it)`;
  return undefined;
}

/** A non-empty string. */
export function text(description: string) {
  return nonEmptyString().meta({ description });
}

function nonEmptyString() {
  return z
    .string({ error: (issue) => `expected text, got ${describeValue(issue.input)}` })
    .min(1, { error: 'must not be empty', abort: true });
}

/** A string that may be empty. */
export function optionalText(description: string) {
  return z.string({ error: (issue) => `expected text, got ${describeValue(issue.input)}` }).meta({ description });
}

/** A boolean. */
export function flag(description: string) {
  return z.boolean({ error: (issue) => `expected true or false, got ${describeValue(issue.input)}` }).meta({ description });
}

/** A whole number of at least 1. */
export function positiveInt(description: string) {
  return z
    .number({ error: (issue) => `expected a number, got ${describeValue(issue.input)}` })
    .int({ error: 'expected a whole number', abort: true })
    .min(1, { error: 'must be at least 1' })
    .meta({ description });
}

/** One of `values`; the error lists them. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, what: string, description: string) {
  return z
    .enum(values, { error: (issue) => `unknown ${what} ${JSON.stringify(issue.input)}; available: ${values.join(', ')}` })
    .meta({ description });
}

/** An apiVersion such as `v1` or `networking.k8s.io/v1`. */
export function apiVersion(description: string) {
  return nonEmptyString()
    .regex(API_VERSION, {
      error: (issue) => `invalid api_version ${JSON.stringify(issue.input)}: write version or group/version, e.g. v1 or networking.k8s.io/v1`,
    })
    .meta({ description });
}

/** A DNS-1123 label (a namespace name). */
export function dnsLabel(description: string) {
  return nonEmptyString()
    .regex(DNS_LABEL, {
      error: (issue) => `invalid name ${JSON.stringify(issue.input)}: use lower-case letters, digits and -, at most 63 characters`,
    })
    .meta({ description });
}

/**
 * The name of a watched cluster: a DNS-1123 label (`eu-west`) or a kcp workspace path
 * (`root:org:team-a`). It never contains "/", so `cluster|namespace/name` stays readable.
 */
export function clusterName(description: string) {
  return nonEmptyString()
    .refine((name) => !name.includes('/'), {
      error: (issue) => `invalid cluster name ${JSON.stringify(issue.input)}: it must not contain "/"`,
      abort: true,
    })
    .refine(isClusterName, {
      error: (issue) =>
        `invalid cluster name ${JSON.stringify(issue.input)}: use a DNS label (lower-case letters, digits and -) or a kcp workspace path such as root:org:team-a`,
    })
    .meta({ description });
}

/** An http(s) URL, such as an API server's (a path is allowed: https://kcp:6443/clusters/root:ws). */
export function serverUrl(description: string) {
  const problem = (input: string): string | undefined => {
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      return `invalid server URL ${JSON.stringify(input)}: use https://host:port, optionally with a path such as /clusters/root:org:ws`;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return `invalid server URL ${JSON.stringify(input)}: use http:// or https://`;
    if (url.search !== '' || url.hash !== '') return `invalid server URL ${JSON.stringify(input)}: no query or fragment`;
    return undefined;
  };
  return nonEmptyString()
    .superRefine((input, ctx) => {
      const message = problem(input);
      if (message !== undefined) ctx.addIssue({ code: 'custom', message });
    })
    .meta({ description });
}

/** A DNS-1123 subdomain (an object name such as a Lease). */
export function dnsSubdomain(description: string) {
  return nonEmptyString()
    .regex(DNS_SUBDOMAIN, {
      error: (issue) => `invalid name ${JSON.stringify(issue.input)}: use lower-case letters, digits, - and ., at most 253 characters`,
    })
    .meta({ description });
}

/** A path expression for index_by; refused when parsePath refuses it. */
export function indexExpression(description: string) {
  return z
    .string({ error: (issue) => `expected a path expression such as metadata.name, got ${describeValue(issue.input)}` })
    .superRefine((expr, ctx) => {
      const reason = pathProblem(() => parsePath(expr));
      if (reason !== undefined) ctx.addIssue({ code: 'custom', message: `invalid index_by expression: ${reason}` });
    })
    .meta({ description });
}

/** A remove_fields entry: a simple path (keys and indices only). */
export function removalExpression(description: string) {
  return z
    .string({ error: (issue) => `expected a path expression such as status, got ${describeValue(issue.input)}` })
    .superRefine((expr, ctx) => {
      const reason = pathProblem(() => compileRemoval(expr));
      if (reason !== undefined) ctx.addIssue({ code: 'custom', message: `invalid remove_fields entry: ${reason}` });
    })
    .meta({ description });
}

/** A Kubernetes label selector in its full grammar ("" selects everything). */
export function labelSelector(description: string) {
  return optionalText(description).superRefine((text, ctx) => {
    const reason = selectorProblem(() => parseLabelSelector(text));
    if (reason !== undefined) ctx.addIssue({ code: 'custom', message: reason });
  });
}

/**
 * A Kubernetes field selector ("" selects everything). Any field is accepted: which fields
 * the API server supports depends on the kind, and it answers with a clear error itself.
 */
export function fieldSelector(description: string) {
  return optionalText(description).superRefine((text, ctx) => {
    const reason = selectorProblem(() => parseFieldSelector(text, { anyField: true }));
    if (reason !== undefined) ctx.addIssue({ code: 'custom', message: reason });
  });
}

function selectorProblem(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (err) {
    if (err instanceof SelectorError) return err.message;
    throw err;
  }
}

function pathProblem(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (err) {
    if (err instanceof PathError) return err.message;
    throw err;
  }
}

/** An output file mode: an octal string such as "0644"; parsed into a number. */
export function fileMode(description: string) {
  const message = (input: unknown) =>
    typeof input === 'number'
      ? `invalid mode ${input}: quote it, e.g. mode: "0644" (unquoted, YAML reads it as a decimal number)`
      : `invalid mode ${JSON.stringify(input)}: use an octal string such as "0644"`;
  return z
    .string({ error: (issue) => message(issue.input) })
    .regex(MODE, { error: (issue) => message(issue.input) })
    .transform((mode) => Number.parseInt(mode, 8))
    .meta({ description });
}

/** A listen address "host:port" (host may be empty or an IPv6 address in brackets). */
export function listenAddress(description: string) {
  const message = (input: unknown) =>
    `invalid listen address ${JSON.stringify(input)}: use host:port, e.g. 0.0.0.0:8080, 127.0.0.1:9090, [::]:8080 or :8080`;
  return z
    .string({ error: (issue) => message(issue.input) })
    .regex(LISTEN, { error: (issue) => message(issue.input), abort: true })
    .refine((listen) => Number(LISTEN.exec(listen)?.[1]) <= 65535, {
      error: (issue) => `invalid listen address ${JSON.stringify(issue.input)}: the port must be between 0 and 65535`,
    })
    .meta({ description });
}

/** A command: the program, then its arguments, each a non-empty string. */
export function command(description: string) {
  return z
    .array(nonEmptyString(), { error: (issue) => `expected a list such as ["program", "arg"], got ${describeValue(issue.input)}` })
    .min(1, { error: 'must name at least the program to run' })
    .meta({ description });
}
