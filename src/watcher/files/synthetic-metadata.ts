/**
 * Synthetic metadata for objects read from files, which have no API server to assign it.
 *
 * - `metadata.uid`, when the file gives none: a name-based UUID (version 5) of the
 *   object's API group, kind, namespace and name. Stable across edits and restarts, the
 *   same in every watched resource, different for different objects.
 * - `metadata.resourceVersion`, when the file gives none: a hash of the object's content
 *   (keys sorted, so reordering keys is no change). It changes exactly when the content
 *   changes, so a store's replace() leaves unchanged objects alone, even after a restart.
 *   It is opaque: compare it for equality only.
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../k8s.ts';

/** The UUID namespace of informant's files source (a random, fixed UUID). */
const UID_NAMESPACE = Buffer.from('6f3c1a52d8b94e0f9a7e2c4b5d6e7f80', 'hex');

/** JSON with object keys sorted at every level: equal for objects with equal content. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) sorted[key] = (v as Record<string, unknown>)[key];
    return sorted;
  });
}

/** A stable UUID (v5) from the object's API group, kind, namespace and name (and cluster, when it has one). */
export function syntheticUid(obj: KubeObject): string {
  const apiVersion = obj.apiVersion ?? '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  const parts = [group, obj.kind ?? '', obj.metadata.namespace ?? '', obj.metadata.name];
  if (typeof obj.metadata.cluster === 'string') parts.push(obj.metadata.cluster);
  const name = parts.join('\u0000');
  const hash = createHash('sha1').update(UID_NAMESPACE).update(name).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** An opaque version derived from canonical content: 16 hex characters of its SHA-256. */
export function contentVersion(content: string): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 16);
}

/**
 * The object as it is delivered: a deep copy with `metadata.uid` and
 * `metadata.resourceVersion` filled in when the file left them out. `content` is the
 * object's canonicalJson.
 */
export function withSyntheticMetadata(obj: KubeObject, content: string): KubeObject {
  const copy = structuredClone(obj);
  copy.metadata.uid ??= syntheticUid(obj);
  copy.metadata.resourceVersion ??= contentVersion(content);
  return copy;
}
