/**
 * Which published objects belong to a watched resource on an etcd source: the key already
 * names its group and resource; the resource's namespace, label and field selectors and
 * the subscribed clusters are applied here, client-side (as the files source does).
 */
import type { WatchedResourceConfig } from '../../config/types.ts';
import type { KubeObject } from '../../k8s.ts';
import type { ObjectAddress } from '../../kv/layout.ts';
import { parseFieldSelector, parseLabelSelector } from '../../selector/index.ts';
import { WatchError } from '../index.ts';

/** True when a decoded object is one of the resource's. */
export type ResourceFilter = (obj: KubeObject, address: ObjectAddress) => boolean;

/**
 * Compiles the filter of `resource` for `clusters` ("all" or names). Throws a WatchError
 * naming the resource when a selector does not parse.
 */
export function compileFilter(resource: WatchedResourceConfig, clusters: 'all' | readonly string[]): ResourceFilter {
  const labels = compile(resource, 'label_selector', () => parseLabelSelector(resource.labelSelector));
  const fields = compile(resource, 'field_selector', () => parseFieldSelector(resource.fieldSelector, { anyField: true }));
  const wanted = clusters === 'all' ? undefined : new Set(clusters);
  return (obj, address) =>
    (wanted === undefined || wanted.has(address.cluster)) &&
    (resource.namespace === '' || address.namespace === resource.namespace) &&
    labels.matches(obj.metadata.labels) &&
    fields.matches(obj);
}

function compile<T>(resource: WatchedResourceConfig, key: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new WatchError(`watched resource ${resource.name}: ${key}: ${message}`, { resource: resource.name, cause: err });
  }
}
