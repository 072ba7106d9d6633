/**
 * Keeping Secret data out of debug answers. Objects of kind Secret lose the values of
 * `data` and `stringData` (the keys stay, so operators still see what a Secret holds) and
 * the last-applied annotation (which repeats them). Rendered outputs are masked too: every
 * Secret value that appears in them verbatim, base64 or decoded, is replaced.
 */
import type { KubeObject } from '../k8s.ts';

/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Values shorter than this are not masked in outputs: they would mask ordinary words ("true", "80"). */
const MIN_MASKED_LENGTH = 8;

/** True for a core/v1 Secret (kind Secret and apiVersion v1 or unset). */
export function isSecret(obj: KubeObject): boolean {
  return obj.kind === 'Secret' && (obj.apiVersion === undefined || obj.apiVersion === 'v1');
}

/**
 * The object as a debug endpoint may show it: Secrets (`secret` forces it for objects of a
 * store known to hold Secrets) get their data redacted; other objects are returned as they
 * are. Never mutates `obj` (stored objects are frozen).
 */
export function redactObject(obj: KubeObject, secret = false): KubeObject {
  if (!secret && !isSecret(obj)) return obj;
  const copy: KubeObject = { ...obj };
  for (const field of ['data', 'stringData'] as const) {
    const values = obj[field];
    if (values !== null && typeof values === 'object') {
      copy[field] = Object.fromEntries(Object.keys(values).map((key) => [key, REDACTED]));
    }
  }
  const annotations = obj.metadata.annotations;
  if (annotations && LAST_APPLIED in annotations) {
    copy.metadata = { ...obj.metadata, annotations: { ...annotations, [LAST_APPLIED]: REDACTED } };
  }
  return copy;
}

/**
 * `text` with every Secret value of `secrets` replaced by REDACTED: each value as stored
 * (base64), decoded, and each long line of a decoded value (a PEM block split by the
 * template). Best effort: a template that transforms a value beyond that is not caught.
 */
export function maskSecretValues(text: string, secrets: Iterable<KubeObject>): string {
  const needles = new Set<string>();
  for (const secret of secrets) {
    for (const value of secretValues(secret)) {
      for (const needle of [value, ...value.split('\n')]) {
        if (needle.trim().length >= MIN_MASKED_LENGTH) needles.add(needle);
      }
    }
  }
  // Longest first, so a whole value is replaced before any line of it.
  let masked = text;
  for (const needle of [...needles].sort((a, b) => b.length - a.length)) masked = masked.split(needle).join(REDACTED);
  return masked;
}

function* secretValues(secret: KubeObject): Generator<string> {
  const data = secret.data;
  if (data !== null && typeof data === 'object') {
    for (const value of Object.values(data)) {
      if (typeof value !== 'string') continue;
      yield value;
      yield Buffer.from(value, 'base64').toString('utf8');
    }
  }
  const stringData = secret.stringData;
  if (stringData !== null && typeof stringData === 'object') {
    for (const value of Object.values(stringData)) if (typeof value === 'string') yield value;
  }
}
