/**
 * How Kubernetes names resources: the API group of an apiVersion, and the plural resource
 * name of a kind. One rule for every stage, so that a publisher and a subscriber agree on
 * the keys of a resource, the files source routes `resource:`-only configs, and `informant
 * rbac` names what the Kubernetes source watches.
 *
 * The plural is a guess when only `kind` is configured: the Kubernetes source resolves the
 * real name by API discovery at run time. Well-known built-in kinds are exact (the table
 * below); a custom resource whose CRD declares an irregular plural needs `resource` in
 * the config.
 */

/**
 * Plurals of well-known built-in kinds (lower case), exact rather than guessed. Endpoints
 * is the one the regular rules get wrong (not "endpointses"); the others follow them and
 * are listed so that `informant rbac` need not call them guesses.
 */
const KNOWN_PLURALS: Readonly<Record<string, string>> = Object.freeze({
  configmap: 'configmaps',
  endpoints: 'endpoints',
  endpointslice: 'endpointslices',
  gateway: 'gateways',
  gatewayclass: 'gatewayclasses',
  grpcroute: 'grpcroutes',
  httproute: 'httproutes',
  ingress: 'ingresses',
  ingressclass: 'ingressclasses',
  namespace: 'namespaces',
  networkpolicy: 'networkpolicies',
  node: 'nodes',
  pod: 'pods',
  secret: 'secrets',
  service: 'services',
  tcproute: 'tcproutes',
  tlsroute: 'tlsroutes',
});

/**
 * The plural resource name of `kind`: lowercased; a well-known kind from the table;
 * ending in s, x, z, ch or sh → +es (Ingress → ingresses); a consonant then y → ies
 * (NetworkPolicy → networkpolicies, but Gateway → gateways); otherwise +s.
 */
export function pluralOfKind(kind: string): string {
  const lower = kind.toLowerCase();
  const known = KNOWN_PLURALS[lower];
  if (known !== undefined) return known;
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/** True when the plural of `kind` is known for certain (a well-known built-in), not guessed by the rules. */
export function isKnownKind(kind: string): boolean {
  return KNOWN_PLURALS[kind.toLowerCase()] !== undefined;
}

/** The plural resource of a watched resource: its configured `resource`, else the plural of its kind; undefined with neither. */
export function pluralOf(resource: { kind?: string | undefined; resource?: string | undefined }): string | undefined {
  if (resource.resource) return resource.resource;
  return resource.kind ? pluralOfKind(resource.kind) : undefined;
}

/** The API group of `apiVersion`: "" for the core group ("v1"), else the part before "/". */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** A DNS-1123 label: what a namespace name must be. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Why `namespace` cannot be a Kubernetes namespace name (a DNS-1123 label: lower-case
 * letters, digits and "-", at most 63 characters), or undefined.
 */
export function namespaceNameProblem(namespace: string): string | undefined {
  return DNS_LABEL.test(namespace) ? undefined : `namespace ${JSON.stringify(namespace)} is not a DNS-1123 label`;
}

/**
 * Why `name` cannot be an object name the API server would accept for any kind, or
 * undefined. The loosest rule it applies (RBAC objects; most kinds want a DNS subdomain):
 * a path segment (not "." or "..", no "/" or "%"), at most 253 characters; and, stricter
 * than the API server for those few kinds, no whitespace or control character, which no
 * real name has and which would break out of a line of a rendered config.
 */
export function objectNameProblem(name: string): string | undefined {
  const shown = JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
  if (name === '' || name === '.' || name === '..') return `name ${shown} is not a valid object name`;
  if (name.length > 253) return `name ${shown} is longer than 253 characters`;
  if (/[/%\s\u0000-\u001f\u007f]/u.test(name)) return `name ${shown} contains "/", "%", whitespace or a control character`;
  return undefined;
}

/** A cluster name: a DNS-1123 label, or a kcp workspace path of labels joined by ":" (root:org:ws). */
const CLUSTER_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(:[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * True when `name` can name a cluster (metadata.cluster): a DNS-1123 label (a kcp logical
 * cluster name such as 2h8xkfz3bq1q3hxo) or a kcp workspace path (root:org:team-a).
 */
export function isClusterName(name: string): boolean {
  return CLUSTER_NAME.test(name);
}
