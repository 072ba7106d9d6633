/**
 * What is Secret data: core/v1 Secret objects, the watched resources that hold them, and
 * the values (as stored, base64, and decoded) that must never leave through a log, a
 * metric or an endpoint unless the operator says so.
 */
import type { KubeObject } from '../k8s.ts';

/** True for a core/v1 Secret (kind Secret and apiVersion v1 or unset). */
export function isSecret(obj: KubeObject): boolean {
  return obj.kind === 'Secret' && (obj.apiVersion === undefined || obj.apiVersion === 'v1');
}

/** True for a watched resource of core/v1 Secrets (by kind or by resource name). */
export function holdsSecrets(resource: { apiVersion: string; kind?: string | undefined; resource?: string | undefined }): boolean {
  return resource.apiVersion === 'v1' && (resource.kind === 'Secret' || resource.resource === 'secrets');
}

/** Every value of a Secret: each `data` value as stored (base64) and decoded, and each `stringData` value. */
export function* secretValues(secret: KubeObject): Generator<string> {
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
