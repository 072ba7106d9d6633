/**
 * One version of one object as the test server keeps it: its identity, labels and its
 * JSON text serialized once, so lists and watches of 100k objects only concatenate
 * strings.
 */
import type { KubeObject } from '../../../src/k8s.ts';
import type { ServedResource } from './resources.ts';

/** The sort and lookup key of an object: namespace, NUL, name (sorts like compareByNamespaceName). */
export function objectKey(namespace: string, name: string): string {
  return `${namespace}\0${name}`;
}

/** Immutable stored version of an object. */
export class StoredObject {
  readonly key: string;
  /** '' for cluster-scoped objects. */
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** The resourceVersion of this version, as a number. */
  readonly rv: number;
  readonly creationTimestamp: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The top-level `type` (Secrets), for the `type` field selector. */
  readonly type: string | undefined;
  /** The object as a list item: JSON without kind and apiVersion, metadata first. */
  readonly json: string;
  #metadataJson: string | undefined;

  constructor(item: KubeObject, rv: number) {
    const meta = item.metadata;
    this.namespace = meta.namespace ?? '';
    this.name = meta.name;
    this.key = objectKey(this.namespace, this.name);
    this.uid = meta.uid ?? '';
    this.rv = rv;
    this.creationTimestamp = typeof meta.creationTimestamp === 'string' ? meta.creationTimestamp : '';
    this.labels = Object.freeze({ ...meta.labels });
    this.type = typeof item.type === 'string' ? item.type : undefined;
    this.json = JSON.stringify(item);
  }

  /** The object with kind and apiVersion, as watch events and GET carry it. */
  typedJson(resource: ServedResource): string {
    return resource.typePrefix + this.json.slice(1);
  }

  /** The metadata alone as JSON (computed on first use, for PartialObjectMetadata). */
  metadataJson(): string {
    this.#metadataJson ??= JSON.stringify((JSON.parse(this.json) as KubeObject).metadata);
    return this.#metadataJson;
  }

  /** A fresh, caller-owned copy with kind and apiVersion. */
  toObject(resource: ServedResource): KubeObject {
    return JSON.parse(this.typedJson(resource)) as KubeObject;
  }
}

/** What the server sets on every stored version. */
export interface ServerFields {
  rv: number;
  uid: string;
  creationTimestamp: string;
}

/**
 * Builds the stored version of `obj` and the typed object to hand back. The input is not
 * mutated; the returned object is a new top level and metadata but may share nested
 * values (spec, labels...) with `obj`. kind and apiVersion always come from the resource.
 */
export function storeObject(
  resource: ServedResource,
  obj: KubeObject,
  fields: ServerFields,
): { stored: StoredObject; object: KubeObject } {
  const { kind: _kind, apiVersion: _apiVersion, metadata, ...rest } = obj;
  const item: KubeObject = {
    metadata: {
      ...metadata,
      uid: fields.uid,
      resourceVersion: String(fields.rv),
      creationTimestamp: fields.creationTimestamp,
    },
    ...rest,
  };
  const stored = new StoredObject(item, fields.rv);
  return { stored, object: { kind: resource.kind, apiVersion: resource.apiVersion, ...item } };
}

/** The same object, re-stamped with a new resourceVersion (the last state a DELETED event carries). */
export function restamp(stored: StoredObject, rv: number): StoredObject {
  const item = JSON.parse(stored.json) as KubeObject;
  item.metadata.resourceVersion = String(rv);
  return new StoredObject(item, rv);
}
