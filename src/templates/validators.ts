/**
 * Filters that make a value from an object safe to print in a config file, or refuse it:
 * validators (`dns_name`, `ingress_host`, `http_path`, `port`, `ip_address`, `safe_id`),
 * which return the value unchanged (a port as a number) when it fits their grammar, and
 * `haproxy_quote`, which makes any text without control characters one HAProxy word.
 *
 * A value that does not fit fails the filter. Given the object the value came from
 * (`host | dns_name(ing)`), the filter leaves that object out of the render instead (see
 * isolation/) and returns "": the rest of the output renders, and the template needs no
 * check of its own. An optional second argument names the value in the reason
 * (`p.path | http_path(ing, "path")`). Reasons name the problem and where in the value it
 * is, never the value.
 */
import { isIP } from 'node:net';
import { FilterError } from './errors.ts';
import { activePass } from './isolation/pass-report.ts';
import { describeCharacter, firstUnsafe } from './unsafe-text.ts';

/** Limits of the grammars (characters). */
export const LIMITS = Object.freeze({
  /** A DNS-1123 subdomain (Kubernetes object names, hosts): at most 253 characters... */
  dnsName: 253,
  /** ...of labels of at most 63. */
  dnsLabel: 63,
  /** A path: the Gateway API's limit for an HTTP path match (HTTPPathMatch.value), ample for routes. */
  httpPath: 1024,
  /** An identifier: a DNS-1123 subdomain's length. */
  safeId: 253,
});

type Check = (value: unknown) => { value: unknown } | { problem: string };

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_CHARACTER = /[^-a-z0-9.]/;
const PATH_CHARACTER = /[^A-Za-z0-9._~/-]/;
const ID_CHARACTER = /[^A-Za-z0-9.:-]/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** "a number", "undefined", "an object": what a value is, never what it holds. */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The first character of `text` that `disallowed` matches, as "<char> at character n". */
function badCharacter(text: string, disallowed: RegExp): string | undefined {
  const match = disallowed.exec(text);
  if (match === null) return undefined;
  const code = text.codePointAt(match.index)!;
  return `${describeCharacter(code)} at character ${match.index + 1}`;
}

function tooLong(text: string, max: number): string | undefined {
  return text.length > max ? `${text.length} characters long, at most ${max}` : undefined;
}

/** Why `text` is not a DNS-1123 subdomain (lower-case labels of letters, digits and "-"), or undefined. */
function dnsProblem(text: string): string | undefined {
  if (text === '') return 'empty';
  const problem = tooLong(text, LIMITS.dnsName) ?? badCharacter(text, DNS_CHARACTER);
  if (problem !== undefined) return problem;
  const labels = text.split('.');
  for (const [i, label] of labels.entries()) {
    if (label === '') return 'an empty label (a dot at an end, or two in a row)';
    if (label.length > LIMITS.dnsLabel) return `label ${i + 1} is ${label.length} characters long, at most ${LIMITS.dnsLabel}`;
    if (!DNS_LABEL.test(label)) return `label ${i + 1} starts or ends with "-"`;
  }
  return undefined;
}

const dnsName: Check = (value) => {
  if (typeof value !== 'string') return { problem: `expected a name, got ${kindOf(value)}` };
  const problem = dnsProblem(value);
  return problem === undefined ? { value } : { problem: `not a DNS-1123 name: ${problem}` };
};

const ingressHost: Check = (value) => {
  if (typeof value !== 'string') return { problem: `expected a host, got ${kindOf(value)}` };
  const wildcard = value.startsWith('*.');
  const problem = dnsProblem(wildcard ? value.slice(2) : value) ?? (!wildcard && IPV4.test(value) ? 'an IP address, not a name' : undefined);
  return problem === undefined ? { value } : { problem: `not a host name or wildcard host: ${problem}` };
};

const httpPath: Check = (value) => {
  if (typeof value !== 'string') return { problem: `expected a path, got ${kindOf(value)}` };
  const problem =
    (value.startsWith('/') ? undefined : 'does not start with "/"') ??
    tooLong(value, LIMITS.httpPath) ??
    badCharacter(value, PATH_CHARACTER) ??
    (value.includes('//') ? 'holds "//"' : undefined) ??
    (/\/\.\.?(\/|$)/.test(value) ? 'holds a "." or ".." segment' : undefined);
  return problem === undefined ? { value } : { problem: `not a strict path: ${problem}` };
};

const port: Check = (value) => {
  const number = typeof value === 'string' && /^[1-9]\d{0,4}$/.test(value) ? Number(value) : value;
  if (typeof number === 'number' && Number.isInteger(number) && number >= 1 && number <= 65535) return { value: number };
  return { problem: typeof number === 'number' ? 'not a port: outside 1-65535' : `not a port: expected a number, got ${kindOf(value)}` };
};

const ipAddress: Check = (value) => {
  if (typeof value !== 'string') return { problem: `expected an IP address, got ${kindOf(value)}` };
  const problem = badCharacter(value, /[^0-9A-Fa-f:.]/) ?? (isIP(value) === 0 ? 'not an IPv4 or IPv6 address' : undefined);
  return problem === undefined ? { value } : { problem: `not an IP address: ${problem}` };
};

const safeId: Check = (value) => {
  const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : value;
  if (typeof text !== 'string') return { problem: `expected a name, got ${kindOf(value)}` };
  const problem =
    (text === '' ? 'empty' : undefined) ??
    tooLong(text, LIMITS.safeId) ??
    badCharacter(text, ID_CHARACTER) ??
    (text.startsWith('-') ? 'starts with "-"' : undefined);
  return problem === undefined ? { value: text } : { problem: `not a safe identifier: ${problem}` };
};

/** The filter of a check: the value, or (failing) the object left out, or a FilterError. */
function validator(name: string, check: Check) {
  return function validate(value: unknown, obj?: unknown, what?: unknown): unknown {
    const result = check(value);
    if ('value' in result) return result.value;
    const pass = activePass();
    if (obj === undefined || obj === null || pass === undefined) {
      throw new FilterError(name, `${result.problem} (give it the object the value came from, value | ${name}(obj), to leave that object out instead)`);
    }
    pass.reject(obj, `${typeof what === 'string' ? what : name}: ${result.problem}`, name);
    return '';
  };
}

/**
 * HAProxy's strong quoting (configuration manual, "Quoting and escaping"): inside single
 * quotes nothing is interpreted (no "$" expansion, no "\" escapes, "#" is no comment), so
 * the text goes inside as it is and a quote itself becomes '\'' (close, an escaped quote,
 * reopen). Control characters have no place in an argument and are refused. The result is
 * always quoted, so an empty text is '' (an empty argument).
 */
const haproxyQuote: Check = (value) => {
  const text = typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
  if (typeof text !== 'string') return { problem: `expected text, got ${kindOf(value)}` };
  const at = firstUnsafe(text);
  if (at !== undefined) return { problem: `cannot quote ${describeCharacter(at.code)} at character ${at.index + 1}` };
  return { value: `'${text.replaceAll("'", "'\\''")}'` };
};

/** The validating and quoting filters by the name templates use (see the module comment). */
export const VALIDATORS: Readonly<Record<string, (value: unknown, ...args: unknown[]) => unknown>> = Object.freeze({
  dns_name: validator('dns_name', dnsName),
  ingress_host: validator('ingress_host', ingressHost),
  http_path: validator('http_path', httpPath),
  port: validator('port', port),
  ip_address: validator('ip_address', ipAddress),
  safe_id: validator('safe_id', safeId),
  haproxy_quote: validator('haproxy_quote', haproxyQuote),
});
