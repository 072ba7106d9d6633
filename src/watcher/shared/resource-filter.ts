/**
 * Which published objects belong to a watched resource on a shared source: the key already
 * names its group and resource; the resource's namespace, label and field selectors and
 * the subscribed clusters are applied here, client-side (as the files source does).
 */
import type { WatchedResourceConfig } from '../../config/types.ts';
import type { KubeObject } from '../../k8s.ts';
import type { ObjectAddress } from '../../kv/layout.ts';
import { compileSelection } from '../selection.ts';

/** True when a decoded object is one of the resource's. */
export type ResourceFilter = (obj: KubeObject, address: ObjectAddress) => boolean;

/**
 * Compiles the filter of `resource` for `clusters` ("all" or names). Throws a WatchError
 * naming the resource when a selector does not parse.
 */
export function compileFilter(resource: WatchedResourceConfig, clusters: 'all' | readonly string[]): ResourceFilter {
  const selected = compileSelection(resource);
  const wanted = clusters === 'all' ? undefined : new Set(clusters);
  return (obj, address) => (wanted === undefined || wanted.has(address.cluster)) && selected(obj, address.namespace);
}
