/**
 * Turns a record a publisher wrote into the object templates see: the JSON value, with
 * `metadata.cluster` set from the key (the publisher stores the cluster in the key only)
 * and, when the value has none, a resourceVersion derived from the record's mod revision
 * (so a relist leaves unchanged objects alone in the store).
 */
import type { KubeObject } from '../../k8s.ts';
import type { KvRecord } from '../../kv/index.ts';
import type { KeyLayout, ObjectAddress } from '../../kv/layout.ts';
import { isKubeObject } from '../../k8s.ts';

/** A decoded record, or why it cannot be used. */
export type Decoded =
  | { readonly ok: true; readonly obj: KubeObject; readonly address: ObjectAddress }
  | { readonly ok: false; readonly problem: string };

/** Decodes `record` under `layout`; a value that is not an object of its key is a problem, never a throw. */
export function decodeRecord(record: KvRecord, layout: KeyLayout): Decoded {
  const address = layout.parse(record.key);
  if (!address) return { ok: false, problem: `key ${record.key} is not an object key of ${layout.root}` };
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
  value.metadata.cluster = address.cluster;
  if (typeof value.metadata.resourceVersion !== 'string') value.metadata.resourceVersion = `kv-${record.modRevision}`;
  return { ok: true, obj: value, address };
}
