/**
 * The view of an on-demand store in templates, `resources.<name>`, for one render pass.
 * It behaves like the view of a full store (an array of every object with List, Get, Fetch
 * and GetSingle), but reads references from the store and bodies through the render's
 * FetchSession: an object that is not loaded yet reads as the placeholder and is fetched
 * before the next pass.
 */
import type { KubeObject } from '../k8s.ts';
import { FetchError, type OnDemandReader } from '../store/index.ts';
import { ResourceError } from './errors.ts';
import type { FetchSession } from './fetch-session.ts';
import { isPlaceholder, LIST_PLACEHOLDER, PLACEHOLDER } from './placeholder.ts';
import { clusterNames, scopeToCluster } from './cluster-scope.ts';
import { callText, pickSingle, toCluster, toKeys, type ResourceMethods, type ResourceView } from './resources.ts';

const METHODS: ReadonlySet<PropertyKey> = new Set(['List', 'Get', 'Fetch', 'GetSingle', 'InCluster', 'Clusters']);

/**
 * The view of `store` for one pass of one render. Calling its methods reads only the
 * objects the call matches; anything else (iterating, indexing, `length`, filters) reads
 * every object of the store once per pass: each one not cached is fetched (expensive, and
 * counted in the store's `fullReads`). Objects the API server no longer has (404) are left
 * out. Keys that are placeholders (read from an object not loaded yet) give placeholders:
 * the next pass knows the real keys. A fetch that failed in this render throws a
 * ResourceError naming the call, the object and the cause. `InCluster` gives the same kind
 * of view over the objects of one cluster (a placeholder name gives an empty one: the next
 * pass knows the name).
 */
export function onDemandView(name: string, store: OnDemandReader, session: FetchSession): ResourceView {
  const target: KubeObject[] = [];
  const clusters = new Map<string, ResourceView>();
  let materialized = false;
  const resolve = (ref: KubeObject, context: () => string): KubeObject | undefined => {
    const found = resolveOne(session, name, store, ref, context);
    return found === null ? undefined : found;
  };
  const materialize = (): void => {
    if (materialized) return;
    materialized = true;
    session.noteFullRead(name, store);
    for (const ref of store.list()) {
      const obj = resolve(ref, () => `resources.${name}`);
      if (obj !== undefined) target.push(obj);
    }
    Object.freeze(target);
  };
  const lookup = (method: 'Get' | 'Fetch', args: unknown[]): readonly KubeObject[] => {
    if (args.some(isPlaceholder)) return LIST_PLACEHOLDER as readonly KubeObject[];
    const refs = store.get(...toKeys(name, store, method, args));
    const out: KubeObject[] = [];
    for (const ref of refs) {
      const obj = resolve(ref, () => callText(name, method, args));
      if (obj !== undefined) out.push(obj);
    }
    return Object.freeze(out);
  };
  const methods: ResourceMethods = {
    List: () => {
      materialize();
      return view;
    },
    Get: (...args) => lookup('Get', args),
    Fetch: (...args) => lookup('Fetch', args),
    GetSingle: (...args) => {
      if (args.some(isPlaceholder)) return PLACEHOLDER as KubeObject;
      const ref = pickSingle(name, args, store.get(...toKeys(name, store, 'GetSingle', args)));
      return ref === null ? null : resolveOne(session, name, store, ref, () => callText(name, 'GetSingle', args));
    },
    InCluster: (cluster) => {
      const key = toCluster(name, cluster);
      let scoped = clusters.get(key);
      if (scoped === undefined) clusters.set(key, (scoped = onDemandView(name, scopeToCluster(store, key), session)));
      return scoped;
    },
    // References carry metadata.cluster: naming the clusters fetches nothing.
    Clusters: () => clusterNames(store),
  };
  for (const [method, fn] of Object.entries(methods)) {
    Object.defineProperty(target, method, { value: fn, enumerable: false });
  }
  const reads = (prop: PropertyKey): boolean => !METHODS.has(prop) && prop !== 'then' && (typeof prop === 'string' || prop === Symbol.iterator);
  const view = new Proxy(target, {
    get(obj, prop, receiver) {
      if (reads(prop)) materialize();
      return Reflect.get(obj, prop, receiver);
    },
    has(obj, prop) {
      if (reads(prop)) materialize();
      return Reflect.has(obj, prop);
    },
    ownKeys(obj) {
      materialize();
      return Reflect.ownKeys(obj);
    },
    getOwnPropertyDescriptor(obj, prop) {
      if (reads(prop)) materialize();
      return Reflect.getOwnPropertyDescriptor(obj, prop);
    },
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  }) as unknown as ResourceView;
  return view;
}

/** The body for `ref`: the object, the placeholder (a miss), or null (404). */
function resolveOne(
  session: FetchSession,
  name: string,
  store: OnDemandReader,
  ref: KubeObject,
  context: () => string,
): KubeObject | null {
  let resolution;
  try {
    resolution = session.resolve(name, store, ref);
  } catch (err) {
    if (!(err instanceof FetchError)) throw err;
    throw new ResourceError(`${context()}: ${err.reason}`, { resource: name, keys: [err.namespace, err.object], cause: err });
  }
  if (resolution.state === 'hit') return resolution.obj;
  return resolution.state === 'miss' ? (PLACEHOLDER as KubeObject) : null;
}
