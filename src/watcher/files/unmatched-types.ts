/**
 * Watched resources whose apiVersion and kind match no object of the manifests at all (a
 * typo such as `kind: Services`, an old `v1beta1`): such a resource renders silently empty,
 * so the files source names the types the manifests do hold instead.
 */
import type { KubeObject } from '../../k8s.ts';
import type { ResourceRoute } from './resource-route.ts';

const DEFAULTS = Object.freeze({
  /** Types named in a warning at most (the count of the others is given). */
  namedTypes: 10,
});

/** A watched resource that matches no object's type, and the types the manifests hold. */
export interface UnmatchedResource {
  resource: string;
  /** "apiVersion kind" of every type found, sorted (at most DEFAULTS.namedTypes, then "and N more"). */
  found: string[];
}

/**
 * The routes none of `objects` has the type of (selectors aside: a selector that matches
 * nothing is a choice, a type that matches nothing is a mistake). Empty when there are no
 * objects at all: an empty folder says nothing about the types.
 */
export function unmatchedResources(routes: readonly ResourceRoute[], objects: Iterable<KubeObject>): UnmatchedResource[] {
  const types = new Map<string, KubeObject>();
  for (const obj of objects) types.set(`${obj.apiVersion} ${obj.kind}`, obj);
  if (types.size === 0) return [];
  const found = [...types.keys()].sort();
  const named = found.length > DEFAULTS.namedTypes ? [...found.slice(0, DEFAULTS.namedTypes), `and ${found.length - DEFAULTS.namedTypes} more`] : found;
  const samples = [...types.values()];
  return routes.filter((route) => !samples.some((obj) => route.matchesType(obj))).map((route) => ({ resource: route.name, found: named }));
}
