/**
 * Decides which watched resources an object from a manifest file belongs to: the same
 * apiVersion, the same kind, the resource's namespace (when it has one) and its label and
 * field selectors, as the API server would filter a LIST for that resource.
 */
import type { KubeObject } from '../../k8s.ts';
import type { WatchedResourceConfig } from '../../config/types.ts';
import { pluralOfKind } from '../../k8s-names.ts';
import { WatchError } from '../index.ts';
import { compileSelection } from '../selection.ts';

/** The compiled filter of one watched resource. */
export interface ResourceRoute {
  /** The watched resource's name (the key under watched_resources). */
  readonly name: string;
  /** True when `obj` is one of this resource's objects. */
  matches(obj: KubeObject): boolean;
  /** True when `obj` has this resource's apiVersion and kind, whatever its namespace and labels. */
  matchesType(obj: KubeObject): boolean;
}

/**
 * Compiles a watched resource's filter. Throws a WatchError naming the resource when its
 * selectors do not parse (the SelectorError is the cause) or it names neither kind nor resource.
 */
export function compileRoute(config: WatchedResourceConfig): ResourceRoute {
  const matchesKind = kindMatcher(config);
  const selected = compileSelection(config);
  const matchesType = (obj: KubeObject): boolean => obj.apiVersion === config.apiVersion && matchesKind(obj.kind);
  return {
    name: config.name,
    matches: (obj) => matchesType(obj) && selected(obj, obj.metadata.namespace ?? ''),
    matchesType,
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
