/**
 * The part of a watched resource's definition that selects objects client-side: its
 * namespace, label_selector and field_selector, as the API server would filter a LIST.
 * Sources that filter themselves (a folder of manifests, etcd) share it.
 */
import type { WatchedResourceConfig } from '../config/types.ts';
import type { KubeObject } from '../k8s.ts';
import { parseFieldSelector, parseLabelSelector } from '../selector/index.ts';
import { WatchError } from './index.ts';

/** True when `obj`, living in `namespace` ("" when cluster-scoped), is selected. */
export type Selection = (obj: KubeObject, namespace: string) => boolean;

/**
 * Compiles the selection of `config`. Field selectors may name any field: the object is
 * at hand, unlike on the API server, which supports a few fields per kind. Throws a
 * WatchError naming the resource and the key when a selector does not parse (the
 * SelectorError is the cause).
 */
export function compileSelection(config: WatchedResourceConfig): Selection {
  const labels = compile(config, 'label_selector', () => parseLabelSelector(config.labelSelector));
  const fields = compile(config, 'field_selector', () => parseFieldSelector(config.fieldSelector, { anyField: true }));
  return (obj, namespace) =>
    (config.namespace === '' || namespace === config.namespace) && labels.matches(obj.metadata.labels) && fields.matches(obj);
}

function compile<T>(config: WatchedResourceConfig, key: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new WatchError(`watched resource ${config.name}: ${key}: ${message}`, { resource: config.name, cause: err });
  }
}
