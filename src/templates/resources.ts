/**
 * The `resources` object templates render from: one read-only view per watched resource,
 * `resources.<name>`, over that resource's store.
 */
import { objectId, type KubeObject } from '../k8s.ts';
import type { StoreReader } from '../store/index.ts';
import { clusterNames, scopeToCluster } from './cluster-scope.ts';
import { ResourceError } from './errors.ts';
import { isKeywordArgs } from './nunjucks/index.ts';
import { isPlaceholder } from './placeholder.ts';

/** The lookup methods of a resource view (HAPTIC's names, kept). */
export interface ResourceMethods {
  /** Every object, sorted by namespace then name. */
  List(): readonly KubeObject[];
  /**
   * The objects whose leading index keys equal `keys` (all keys: exact match; fewer:
   * prefix match), sorted by namespace then name. Keys that are numbers or booleans are
   * converted with String(); any other non-string key, or more keys than the resource's
   * `index_by` has, is a ResourceError.
   */
  Get(...keys: unknown[]): readonly KubeObject[];
  /** Same as Get. On a full store both read the store; on-demand stores fetch misses. */
  Fetch(...keys: unknown[]): readonly KubeObject[];
  /** The one object matching `keys`, or null; several matches is a ResourceError. */
  GetSingle(...keys: unknown[]): KubeObject | null;
  /**
   * The same view restricted to the objects of one cluster (metadata.cluster equal to
   * `cluster`, a string; anything else is a ResourceError): iteration, List, Get, Fetch and
   * GetSingle see only that cluster. Objects without a cluster are in no named cluster.
   */
  InCluster(cluster: unknown): ResourceView;
  /** The distinct cluster names of the objects in this view, sorted (empty for a single cluster). */
  Clusters(): readonly string[];
}

/**
 * A watched resource as templates see it: a frozen array of its objects sorted by
 * namespace then name (so `{% for o in resources.x %}` and `resources.x | length` work
 * like on any array) that also has the lookup methods.
 */
export type ResourceView = readonly KubeObject[] & ResourceMethods;

/** `resources`: a view per watched resource name. */
export type Resources = Readonly<Record<string, ResourceView>>;

const DEFAULTS = Object.freeze({
  /** How many of the matching objects a GetSingle error names (the count is always given). */
  namedMatches: 5,
});

/**
 * Property names looked up on `resources` by JavaScript itself rather than by a template
 * (promise resolution, JSON.stringify); they read as absent instead of "unknown resource".
 */
const PROBES: ReadonlySet<string> = new Set(['then', 'toJSON']);

/** Gives the view of one watched resource, `resources.<name>`, over its store. */
export type ViewSource = (name: string, store: StoreReader) => ResourceView;

/**
 * Views over stores that hold whole objects: a view is built on first use and rebuilt only
 * after its store changed (modCount), so it costs nothing for resources a template does
 * not read. Keep one per renderer: the views it caches live as long as it does.
 */
export function fullViews(): ViewSource {
  const views = new Map<string, { modCount: number; view: ResourceView }>();
  return (name, store) => {
    const cached = views.get(name);
    if (cached !== undefined && cached.modCount === store.modCount) return cached.view;
    const view = buildView(name, store);
    views.set(name, { modCount: store.modCount, view });
    return view;
  };
}

/**
 * Creates `resources` over `stores` (keyed by watched resource name), each view given by
 * `viewOf` (by default {@link fullViews}). Reading a name that is not watched throws a
 * ResourceError listing the watched ones; `"x" in resources` is a safe test. The object
 * and its views are read-only.
 */
export function createResources(stores: ReadonlyMap<string, StoreReader>, viewOf: ViewSource = fullViews()): Resources {
  const target: Record<string, null> = {};
  for (const name of stores.keys()) target[name] = null;
  return new Proxy(target, {
    get(obj, prop, receiver): unknown {
      const store = typeof prop === 'string' ? stores.get(prop) : undefined;
      if (store !== undefined) return viewOf(prop as string, store);
      if (typeof prop === 'symbol' || prop in Object.prototype || PROBES.has(prop)) {
        return Reflect.get(obj, prop, receiver);
      }
      throw unknownResource(prop, [...stores.keys()]);
    },
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  }) as unknown as Resources;
}

function unknownResource(name: string, known: string[]): ResourceError {
  const available = known.length > 0 ? `watched resources: ${known.join(', ')}` : 'no resources are watched';
  const message = `unknown resource "${name}" in resources.${name}; ${available}`;
  return new ResourceError(message, { resource: name });
}

/** A view of `store` built now and not cached (fullViews caches the views of whole stores). */
export function buildView(name: string, store: StoreReader): ResourceView {
  const clusters = new Map<string, ResourceView>();
  const methods: ResourceMethods = {
    List: () => store.list(),
    Get: (...keys) => store.get(...toKeys(name, store, 'Get', keys)),
    // Fetch reads a full store like Get; on-demand stores have views of their own (on-demand-view.ts).
    Fetch: (...keys) => store.get(...toKeys(name, store, 'Fetch', keys)),
    GetSingle: (...keys) => single(name, store, keys),
    InCluster: (cluster) => {
      const key = toCluster(name, cluster);
      let view = clusters.get(key);
      if (view === undefined) clusters.set(key, (view = buildView(name, scopeToCluster(store, key))));
      return view;
    },
    Clusters: () => clusterNames(store),
  };
  const view = [...store.list()];
  for (const [method, fn] of Object.entries(methods)) {
    Object.defineProperty(view, method, { value: fn, enumerable: false });
  }
  return Object.freeze(view) as unknown as ResourceView;
}

function single(name: string, store: StoreReader, keys: unknown[]): KubeObject | null {
  return pickSingle(name, keys, store.get(...toKeys(name, store, 'GetSingle', keys)));
}

/**
 * GetSingle's answer from the objects matching `keys`: the one object, null for none, a
 * ResourceError naming the matches (namespace/name) for several.
 */
export function pickSingle(name: string, keys: readonly unknown[], matches: readonly KubeObject[]): KubeObject | null {
  if (matches.length <= 1) return matches[0] ?? null;
  const named = matches.slice(0, DEFAULTS.namedMatches).map(objectId);
  const more = matches.length > named.length ? `, and ${matches.length - named.length} more` : '';
  const problem = `${matches.length} objects match, expected at most one: ${named.join(', ')}${more}`;
  return fail(name, keys, `${callText(name, 'GetSingle', keys)}: ${problem}`);
}

/** What InCluster gets for a placeholder (a cluster read from an object not loaded yet): no cluster has it. */
const NO_CLUSTER = '\u0000';

/**
 * Checks InCluster's argument: a cluster name is a string (a placeholder reads as a name
 * no cluster has; the next pass knows the real one); a ResourceError names the call otherwise.
 */
export function toCluster(name: string, cluster: unknown): string {
  if (typeof cluster === 'string') return cluster;
  if (isPlaceholder(cluster)) return NO_CLUSTER;
  return fail(name, [cluster], `${callText(name, 'InCluster', [cluster])}: the cluster is ${describeArg(cluster)}; cluster names are strings`);
}

/** Checks and converts template arguments into index keys; a ResourceError names the call. */
export function toKeys(name: string, store: StoreReader, method: string, args: unknown[]): string[] {
  if (args.length > store.keyCount) {
    const indexed = `${store.keyCount} index key${store.keyCount === 1 ? '' : 's'}`;
    const problem = `${args.length} keys given, but ${name} has ${indexed}`;
    fail(name, args, `${callText(name, method, args)}: ${problem}`);
  }
  return args.map((arg, i) => {
    if (typeof arg === 'string') return arg;
    if (typeof arg === 'number' || typeof arg === 'boolean' || typeof arg === 'bigint') return String(arg);
    const problem = `key ${i + 1} is ${describeArg(arg)}; keys are strings`;
    return fail(name, args, `${callText(name, method, args)}: ${problem}`);
  });
}

function fail(name: string, keys: readonly unknown[], message: string): never {
  throw new ResourceError(message, { resource: name, keys });
}

/** `resources.x.Get("a", 1)` as written, for messages. */
export function callText(name: string, method: string, args: readonly unknown[]): string {
  const shown = args.map((arg) => (typeof arg === 'string' ? JSON.stringify(arg) : describeArg(arg)));
  return `resources.${name}.${method}(${shown.join(', ')})`;
}

function describeArg(arg: unknown): string {
  if (arg === null || arg === undefined) return String(arg);
  if (Array.isArray(arg)) return 'an array';
  if (typeof arg === 'object') {
    return isKeywordArgs(arg) ? 'a keyword argument' : 'an object';
  }
  return typeof arg === 'function' ? 'a function' : String(arg);
}
