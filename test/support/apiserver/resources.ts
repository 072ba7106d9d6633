/**
 * The resources a TestApiServer serves: their definitions, the defaults, and how a
 * reference ('ingresses', 'ingresses.networking.k8s.io' or {group, version, resource})
 * is resolved to one of them.
 */

/** One servable resource, as discovery describes it. */
export interface ResourceDef {
  /** API group; '' for the core group. */
  group: string;
  /** API version, e.g. 'v1'. */
  version: string;
  /** Plural resource name used in paths, e.g. 'ingresses'. */
  resource: string;
  /** Kind, e.g. 'Ingress'. */
  kind: string;
  /** Whether objects live in a namespace. */
  namespaced: boolean;
  /** Verbs served; default DEFAULT_VERBS. A request for any other verb gets 405. */
  verbs?: string[];
}

/** A reference to a served resource; group and version narrow the match when given. */
export interface ObjectRef {
  group?: string;
  version?: string;
  resource: string;
}

/** A resource reference as the programmatic API accepts it. */
export type ResourceRef = string | ObjectRef;

/**
 * Verbs a resource serves when its definition names none: the contract's list plus
 * 'patch' (JSON merge patch), which kubectl and lease clients may use.
 */
export const DEFAULT_VERBS: readonly string[] = Object.freeze([
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
]);

/** The resources served when TestApiServerOptions.resources is not given (frozen; spread it to extend). */
export const DEFAULT_RESOURCES: ResourceDef[] = deepFreeze([
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true },
  { group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true },
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true },
  { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false },
  {
    group: 'discovery.k8s.io',
    version: 'v1',
    resource: 'endpointslices',
    kind: 'EndpointSlice',
    namespaced: true,
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    resource: 'ingresses',
    kind: 'Ingress',
    namespaced: true,
  },
  {
    group: 'coordination.k8s.io',
    version: 'v1',
    resource: 'leases',
    kind: 'Lease',
    namespaced: true,
  },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', kind: 'ClusterRole', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false },
]);

/** Freezes a list of definitions and each definition. */
function deepFreeze(defs: ResourceDef[]): ResourceDef[] {
  for (const def of defs) Object.freeze(def);
  return Object.freeze(defs) as ResourceDef[];
}

/** A resource definition completed with everything the server derives from it. */
export interface ServedResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
  /** Unique id: 'group/version/resource'. */
  readonly id: string;
  /** 'v1' or 'group/version', as objects carry it. */
  readonly apiVersion: string;
  /** 'IngressList'. */
  readonly listKind: string;
  /** 'ingress'. */
  readonly singularName: string;
  /** The JSON text that turns an item's JSON into a typed object: '{"kind":"X","apiVersion":"v",'. */
  readonly typePrefix: string;
  /** 'ingresses' or 'ingresses.networking.k8s.io', for messages. */
  readonly qualifiedName: string;
}

/** Completes a definition. */
function serve(def: ResourceDef): ServedResource {
  const apiVersion = def.group === '' ? def.version : `${def.group}/${def.version}`;
  return Object.freeze({
    group: def.group,
    version: def.version,
    resource: def.resource,
    kind: def.kind,
    namespaced: def.namespaced,
    verbs: Object.freeze([...(def.verbs ?? DEFAULT_VERBS)]),
    id: `${def.group}/${def.version}/${def.resource}`,
    apiVersion,
    listKind: `${def.kind}List`,
    singularName: def.kind.toLowerCase(),
    typePrefix: `{"kind":${JSON.stringify(def.kind)},"apiVersion":${JSON.stringify(apiVersion)},`,
    qualifiedName: def.group === '' ? def.resource : `${def.resource}.${def.group}`,
  });
}

/** The set of served resources, looked up by reference or by request path. */
export class ResourceRegistry {
  readonly all: readonly ServedResource[];

  /** Throws when two definitions share group, version and resource. */
  constructor(defs: readonly ResourceDef[]) {
    const seen = new Set<string>();
    this.all = defs.map((def) => {
      const served = serve(def);
      if (seen.has(served.id)) throw new Error(`resource ${served.id} is defined twice`);
      seen.add(served.id);
      return served;
    });
  }

  /** The resource at /api(s)/{group}/{version}/{resource}, if served. */
  byPath(group: string, version: string, resource: string): ServedResource | undefined {
    return this.all.find((r) => r.group === group && r.version === version && r.resource === resource);
  }

  /** Resolves a reference; throws naming the reference when none or several match. */
  resolve(ref: ResourceRef): ServedResource {
    const wanted = typeof ref === 'string' ? parseRefString(ref) : ref;
    const matches = this.all.filter(
      (r) =>
        r.resource === wanted.resource &&
        (wanted.group === undefined || r.group === wanted.group) &&
        (wanted.version === undefined || r.version === wanted.version),
    );
    const label = typeof ref === 'string' ? ref : JSON.stringify(ref);
    if (matches.length === 0) {
      const known = this.all.map((r) => r.qualifiedName).join(', ');
      throw new Error(`TestApiServer does not serve resource ${label} (served: ${known})`);
    }
    if (matches.length > 1) throw new Error(`resource ${label} is ambiguous; give group and version`);
    return matches[0]!;
  }

  /** The versions served per group, in definition order (the first is preferred). */
  groupVersions(): Map<string, string[]> {
    const groups = new Map<string, string[]>();
    for (const r of this.all) {
      const versions = groups.get(r.group) ?? [];
      if (!versions.includes(r.version)) versions.push(r.version);
      groups.set(r.group, versions);
    }
    return groups;
  }
}

/** 'ingresses' → {resource}; 'ingresses.networking.k8s.io' → {resource, group}. */
function parseRefString(ref: string): ObjectRef {
  const dot = ref.indexOf('.');
  if (dot < 0) return { resource: ref };
  return { resource: ref.slice(0, dot), group: ref.slice(dot + 1) };
}
