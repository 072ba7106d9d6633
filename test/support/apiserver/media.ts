/**
 * Content negotiation: full objects (application/json) or metadata only
 * (`application/json;as=PartialObjectMetadata[List];g=meta.k8s.io;v=v1`, what metadata
 * informers ask for), and the JSON text of items, typed objects and list envelopes in
 * each representation. Table is not offered: kubectl falls back to plain JSON.
 */
import type { ServedResource } from './resources.ts';
import { ApiError } from './status.ts';
import type { StoredObject } from './stored-object.ts';

/** How objects are represented in a response. */
export type Representation = 'object' | 'metadata';

const JSON_TYPES = new Set(['application/json', 'application/*', '*/*']);
const METADATA_KINDS = new Set(['PartialObjectMetadata', 'PartialObjectMetadataList']);
const METADATA_PREFIX = '{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":';

/** Parses `type;k=v;k=v` into the type and its parameters. */
function parseMediaRange(range: string): { type: string; params: Map<string, string> } {
  const [type = '', ...rest] = range.split(';').map((s) => s.trim());
  const params = new Map<string, string>();
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq > 0) params.set(param.slice(0, eq).trim(), param.slice(eq + 1).trim());
  }
  return { type: type.toLowerCase(), params };
}

/**
 * The first representation the Accept header allows, in its order. No header means full
 * objects; nothing acceptable throws ApiError 406.
 */
export function negotiate(accept: string | undefined): Representation {
  if (accept === undefined || accept.trim() === '') return 'object';
  for (const range of accept.split(',')) {
    const { type, params } = parseMediaRange(range);
    if (!JSON_TYPES.has(type)) continue;
    const as = params.get('as');
    if (as === undefined) return 'object';
    if (METADATA_KINDS.has(as) && params.get('g') === 'meta.k8s.io' && params.get('v') === 'v1') return 'metadata';
  }
  throw new ApiError(
    406,
    'only the following media types are accepted: application/json, ' +
      'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1, ' +
      'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
  );
}

/**
 * An object as a list item, as string parts to concatenate (flat strings, so that bodies
 * of 100k items encode fast): without kind/apiVersion for full objects, as the real server
 * sends built-in types.
 */
export function itemParts(rep: Representation, obj: StoredObject): string[] {
  return rep === 'object' ? [obj.json] : [METADATA_PREFIX, obj.metadataJson(), '}'];
}

/** An object with kind and apiVersion, as GET and watch events carry it, as string parts. */
export function typedParts(rep: Representation, resource: ServedResource, obj: StoredObject): string[] {
  return rep === 'object' ? [resource.typePrefix, obj.json.slice(1)] : [METADATA_PREFIX, obj.metadataJson(), '}'];
}

/** The kind and apiVersion of a list. */
export function listType(rep: Representation, resource: ServedResource): { kind: string; apiVersion: string } {
  return rep === 'object'
    ? { kind: resource.listKind, apiVersion: resource.apiVersion }
    : { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1' };
}

/** The kind and apiVersion of a bookmark's object. */
export function bookmarkType(rep: Representation, resource: ServedResource): { kind: string; apiVersion: string } {
  return rep === 'object'
    ? { kind: resource.kind, apiVersion: resource.apiVersion }
    : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1' };
}
