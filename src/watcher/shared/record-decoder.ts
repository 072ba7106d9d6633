/**
 * Turns a record a publisher wrote into the object templates see: the JSON value, with
 * `metadata.cluster` set from the key (the publisher stores the cluster in the key only)
 * and, when the value has none, a resourceVersion derived from the record's mod revision
 * (so a relist leaves unchanged objects alone in the store).
 *
 * Whoever can write the prefix is not trusted blindly: a value larger than
 * limits.max_object_size is refused before it is parsed, and the object must be what its
 * key says: the key's object (namespace and name), of the watched resource's group and
 * kind, with a namespace and name Kubernetes would accept.
 */
import { formatByteSize } from '../../config/index.ts';
import type { WatchedResourceConfig } from '../../config/types.ts';
import type { KubeObject } from '../../k8s.ts';
import { groupOf, namespaceNameProblem, objectNameProblem, pluralOfKind } from '../../k8s-names.ts';
import type { KvRecord } from '../../kv/index.ts';
import type { KeyLayout, ObjectAddress } from '../../kv/layout.ts';
import { isKubeObject } from '../../k8s.ts';

/** What a record must be to be an object of the watched resource. */
export interface RecordExpectation {
  readonly resource: Pick<WatchedResourceConfig, 'apiVersion' | 'kind' | 'resource'>;
  /** limits.max_object_size: a longer value is not even parsed. */
  readonly maxObjectBytes: number;
}

/** A decoded record, or why it cannot be used. */
export type Decoded =
  | { readonly ok: true; readonly obj: KubeObject; readonly address: ObjectAddress }
  | { readonly ok: false; readonly problem: string };

/** Decodes `record` under `layout`; a value that is not an object of its key is a problem, never a throw. */
export function decodeRecord(record: KvRecord, layout: KeyLayout, expected: RecordExpectation): Decoded {
  const address = layout.parse(record.key);
  if (!address) return { ok: false, problem: `key ${record.key} is not an object key of ${layout.root}` };
  if (record.value.length > expected.maxObjectBytes) {
    return { ok: false, problem: `key ${record.key}: the value is larger than limits.max_object_size (${formatByteSize(expected.maxObjectBytes)}); it is left out` };
  }
  let value: unknown;
  try {
    value = JSON.parse(record.value);
  } catch {
    // V8's message quotes the value, which may be Secret data: say only how long it is.
    return { ok: false, problem: `key ${record.key}: the value is not JSON (${record.value.length} characters)` };
  }
  if (!isKubeObject(value)) return { ok: false, problem: `key ${record.key}: the value is not an object with metadata.name` };
  const namespace = typeof value.metadata.namespace === 'string' ? value.metadata.namespace : '';
  if (value.metadata.name !== address.name || namespace !== address.namespace) {
    const id = namespace === '' ? value.metadata.name : `${namespace}/${value.metadata.name}`;
    return { ok: false, problem: `key ${record.key} holds ${id}, another object` };
  }
  const problem = identityProblem(value, address, expected.resource);
  if (problem !== undefined) return { ok: false, problem: `key ${record.key}: ${problem}` };
  value.metadata.cluster = address.cluster;
  if (typeof value.metadata.resourceVersion !== 'string') value.metadata.resourceVersion = `kv-${record.modRevision}`;
  return { ok: true, obj: value, address };
}

/** Why `obj` is not an object of `resource` at `address` (its group, kind and names), or undefined. */
function identityProblem(obj: KubeObject, address: ObjectAddress, resource: RecordExpectation['resource']): string | undefined {
  const namespace = address.namespace === '' ? undefined : namespaceNameProblem(address.namespace);
  const name = objectNameProblem(address.name);
  if (namespace !== undefined || name !== undefined) return namespace ?? name;
  if (typeof obj.apiVersion !== 'string' || groupOf(obj.apiVersion) !== address.group) {
    return `apiVersion ${JSON.stringify(obj.apiVersion)} is not of the key's group ${JSON.stringify(address.group || 'core')}`;
  }
  const kindMatches = resource.kind !== undefined ? obj.kind === resource.kind : typeof obj.kind === 'string' && pluralOfKind(obj.kind) === resource.resource;
  if (!kindMatches) return `kind ${JSON.stringify(obj.kind)} is not the watched resource's (${resource.kind ?? resource.resource})`;
  return undefined;
}
