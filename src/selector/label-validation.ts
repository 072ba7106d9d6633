/**
 * Validation of label keys and values, with the rules of Kubernetes
 * (k8s.io/apimachinery/pkg/util/validation: IsQualifiedName, IsValidLabelValue,
 * IsDNS1123Subdomain). Each function returns why the text is invalid, or undefined.
 */

/** Limits from the Kubernetes API; exceeding them makes the API server reject the selector. */
export const LIMITS = Object.freeze({
  /** Characters in a label value and in the name part of a key. */
  nameMaxLength: 63,
  /** Characters in the DNS-subdomain prefix of a key. */
  prefixMaxLength: 253,
});

const QUALIFIED_NAME = /^(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(?:(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

const NAME_CHARS =
  "consist of alphanumeric characters, '-', '_' or '.', and start and end with an alphanumeric character";

/**
 * Why `key` is not a valid label key (`[prefix/]name`: an optional lowercase DNS subdomain
 * of at most 253 characters, then a name of 1–63 characters), or undefined when it is.
 */
export function labelKeyProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) {
    return "a label key has at most one '/' (an optional DNS subdomain prefix, then the name)";
  }
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  if (parts.length === 2) {
    const problem = prefixProblem(parts[0]!);
    if (problem !== undefined) return problem;
  }
  if (name === '') return 'name part must be non-empty';
  if (name.length > LIMITS.nameMaxLength) {
    return `name part must be no more than ${LIMITS.nameMaxLength} characters`;
  }
  if (!QUALIFIED_NAME.test(name)) return `name part must ${NAME_CHARS}`;
  return undefined;
}

function prefixProblem(prefix: string): string | undefined {
  if (prefix === '') return 'prefix part must be non-empty';
  if (prefix.length > LIMITS.prefixMaxLength) {
    return `prefix part must be no more than ${LIMITS.prefixMaxLength} characters`;
  }
  if (!DNS_SUBDOMAIN.test(prefix)) {
    return "prefix part must be a lowercase DNS subdomain (a-z, 0-9, '-' and '.', starting and ending with an alphanumeric character)";
  }
  return undefined;
}

/**
 * Why `value` is not a valid label value (empty, or 1–63 characters of alphanumerics with
 * '-', '_', '.' inside), or undefined when it is.
 */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > LIMITS.nameMaxLength) {
    return `a label value must be no more than ${LIMITS.nameMaxLength} characters`;
  }
  if (!LABEL_VALUE.test(value)) return `a label value must be empty or ${NAME_CHARS}`;
  return undefined;
}
