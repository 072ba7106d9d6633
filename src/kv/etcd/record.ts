/** Converts etcd's key-values (bytes and decimal-string revisions) into KvRecords. */
import type { IKeyValue } from 'etcd3';
import type { KvRecord } from '../types.ts';

/** The frozen KvRecord of one etcd key-value. */
export function recordOf(kv: IKeyValue): KvRecord {
  return Object.freeze({
    key: kv.key.toString('utf8'),
    value: kv.value.toString('utf8'),
    modRevision: BigInt(kv.mod_revision),
    createRevision: BigInt(kv.create_revision),
  });
}
