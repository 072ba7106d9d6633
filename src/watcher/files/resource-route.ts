/**
 * Decides which watched resources an object from a manifest file belongs to: the same
 * apiVersion, the same kind, the resource's namespace (when it has one) and its label and
 * field selectors, as the API server would filter a LIST for that resource.
 */
import type { KubeObject } from '../../k8s.ts';
import type { WatchedResourceConfig } from '../../config/types.ts';
import { pluralOfKind } from '../../k8s-names.ts';
import { WatchError } from '../index.ts';
import { parseFieldSelector, parseLabelSelector, type FieldSelector, type LabelSelector } from '../../selector/index.ts';

/** The compiled filter of one watched resource. */
export interface ResourceRoute {
  /** The watched resource's name (the key under watched_resources). */
  readonly name: string;
  /** True when `obj` is one of this resource's objects. */
  matches(obj: KubeObject): boolean;
}

/**
 * Compiles a watched resource's filter. Throws a WatchError naming the resource when its
 * selectors do not parse (the SelectorError is the cause) or it names neither kind nor resource.
 */
export function compileRoute(config: WatchedResourceConfig): ResourceRoute {
  const matchesKind = kindMatcher(config);
  const labels = compileSelector(config, 'label_selector', () => parseLabelSelector(config.labelSelector));
  // The API server supports a few fields per kind (Secret `type`, Pod `spec.nodeName`, ...);
  // manifests have every field at hand, so any dotted field path is evaluated here.
  const fields = compileSelector(config, 'field_selector', () =>
    parseFieldSelector(config.fieldSelector, { anyField: true }),
  );
  return {
    name: config.name,
    matches: (obj) =>
      obj.apiVersion === config.apiVersion &&
      matchesKind(obj.kind) &&
      (config.namespace === '' || obj.metadata.namespace === config.namespace) &&
      labels.matches(obj.metadata.labels) &&
      fields.matches(obj),
  };
}

function kindMatcher(config: WatchedResourceConfig): (kind: string | undefined) => boolean {
  if (config.kind) {
    const kind = config.kind;
    return (candidate) => candidate === kind;
  }
  const resource = config.resource?.toLowerCase();
  if (!resource) {
    throw new WatchError(`watched resource ${config.name}: neither kind nor resource is set`, { resource: config.name });
  }
  return (candidate) =>
    candidate !== undefined && (pluralOfKind(candidate) === resource || candidate.toLowerCase() === resource);
}

function compileSelector<T extends LabelSelector | FieldSelector>(
  config: WatchedResourceConfig,
  key: string,
  parse: () => T,
): T {
  try {
    return parse();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new WatchError(`watched resource ${config.name}: ${key}: ${message}`, { resource: config.name, cause: err });
  }
}
