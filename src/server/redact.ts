/**
 * Keeping Secret data out of debug answers. Objects of kind Secret lose the values of
 * `data` and `stringData` (the keys stay, so operators still see what a Secret holds) and
 * the last-applied annotation (which repeats them). Rendered outputs are masked with
 * secrets/mask.ts.
 */
import type { KubeObject } from '../k8s.ts';
import { isSecret, REDACTED } from '../secrets/index.ts';

export { isSecret, maskSecretValues, REDACTED } from '../secrets/index.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

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
