/**
 * Everything the test server stores: the objects of every resource under one global
 * resourceVersion counter, like etcd. Each change is logged per resource and handed to a
 * listener (the open watches).
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../../src/k8s.ts';
import type { ChangeEvent } from './event-log.ts';
import { ResourceState } from './resource-state.ts';
import type { ServedResource } from './resources.ts';
import { ApiError, conflict, notFound } from './status.ts';
import { objectKey, restamp, storeObject } from './stored-object.ts';

/** Receives every change after it has been applied. */
export type ChangeListener = (resource: ServedResource, event: ChangeEvent) => void;

/** A resourceVersion sequence: one per etcd, shared by every logical cluster of a kcp shard. */
export class Revision {
  value = 0;
  next(): number {
    return ++this.value;
  }
}

/** What else a ClusterState is built with. */
export interface ClusterStateOptions {
  /** The resourceVersion sequence; default one of its own. */
  revision?: Revision;
  /** Annotations set on every object stored (kcp stamps kcp.io/cluster on each). */
  annotations?: Readonly<Record<string, string>>;
}

/** All stored objects and the global resourceVersion. */
export class ClusterState {
  readonly #resources = new Map<string, ResourceState>();
  readonly #now: () => number;
  readonly #revision: Revision;
  readonly #annotations: Readonly<Record<string, string>> | undefined;
  /** Called synchronously after each change. */
  onChange: ChangeListener = () => {};

  constructor(resources: readonly ServedResource[], historyWindow: number, now: () => number, options: ClusterStateOptions = {}) {
    for (const r of resources) this.#resources.set(r.id, new ResourceState(r, historyWindow));
    this.#now = now;
    this.#revision = options.revision ?? new Revision();
    this.#annotations = options.annotations;
  }

  /** The current global resourceVersion. */
  get rv(): number {
    return this.#revision.value;
  }

  /** The state of one resource. */
  of(resource: ServedResource): ResourceState {
    return this.#resources.get(resource.id)!;
  }

  /** Stores a new object; throws ApiError 409 AlreadyExists when the name is taken. */
  create(resource: ServedResource, obj: KubeObject): KubeObject {
    const namespace = checkScope(resource, obj);
    const state = this.of(resource);
    if (state.has(objectKey(namespace, obj.metadata.name))) {
      throw new ApiError(409, `${resource.qualifiedName} "${obj.metadata.name}" already exists`, {
        reason: 'AlreadyExists',
        details: { name: obj.metadata.name, group: resource.group, kind: resource.resource },
      });
    }
    const rv = this.#revision.next();
    const creationTimestamp =
      typeof obj.metadata.creationTimestamp === 'string' ? obj.metadata.creationTimestamp : this.#timestamp();
    const uid = obj.metadata.uid ?? randomUUID();
    const { stored, object } = storeObject(resource, this.#stamped(obj), { rv, uid, creationTimestamp });
    this.#commit(resource, { type: 'ADDED', rv, object: stored, prev: undefined });
    return object;
  }

  /**
   * Replaces an existing object, keeping its uid and creationTimestamp and bumping its
   * resourceVersion (always, even when nothing changed). Throws ApiError 404 when absent,
   * 409 when obj names another uid.
   */
  update(resource: ServedResource, obj: KubeObject): KubeObject {
    const namespace = checkScope(resource, obj);
    const state = this.of(resource);
    const prev = state.get(objectKey(namespace, obj.metadata.name));
    if (prev === undefined) throw notFound(resource, obj.metadata.name);
    if (obj.metadata.uid !== undefined && obj.metadata.uid !== prev.uid) {
      const why = `Precondition failed: UID in precondition: ${obj.metadata.uid}, UID in object meta: ${prev.uid}`;
      throw conflict(resource, prev.name, why);
    }
    const rv = this.#revision.next();
    const fields = { rv, uid: prev.uid, creationTimestamp: prev.creationTimestamp };
    const { stored, object } = storeObject(resource, this.#stamped(obj), fields);
    this.#commit(resource, { type: 'MODIFIED', rv, object: stored, prev });
    return object;
  }

  /** Removes an object and returns its last state (with the deletion's resourceVersion). */
  delete(resource: ServedResource, namespace: string, name: string): KubeObject | undefined {
    const state = this.of(resource);
    const prev = state.get(objectKey(resource.namespaced ? namespace : '', name));
    if (prev === undefined) return undefined;
    const rv = this.#revision.next();
    const last = restamp(prev, rv);
    this.#commit(resource, { type: 'DELETED', rv, object: last, prev });
    return last.toObject(resource);
  }

  /** Forgets the history of every resource: watches and continue tokens from before now expire. */
  compact(): void {
    for (const state of this.#resources.values()) state.log.compact(this.#revision.value);
  }

  /** `obj` with the annotations every stored object gets (the caller's object untouched). */
  #stamped(obj: KubeObject): KubeObject {
    if (this.#annotations === undefined) return obj;
    return { ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, ...this.#annotations } } };
  }

  #commit(resource: ServedResource, event: ChangeEvent): void {
    this.of(resource).apply(event);
    this.onChange(resource, event);
  }

  /** RFC 3339 with whole seconds, as Kubernetes writes timestamps. */
  #timestamp(): string {
    return new Date(this.#now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

/** The object's namespace ('' when cluster-scoped); throws when it does not fit the scope. */
function checkScope(resource: ServedResource, obj: KubeObject): string {
  const namespace = obj.metadata.namespace ?? '';
  if (typeof obj.metadata.name !== 'string' || obj.metadata.name === '') {
    const why = 'metadata.name: Required value: name or generateName is required';
    throw new ApiError(422, `${resource.kind} is invalid: ${why}`);
  }
  const invalid = `${resource.kind} "${obj.metadata.name}" is invalid: metadata.namespace`;
  if (resource.namespaced && namespace === '') throw new ApiError(422, `${invalid}: Required value`);
  if (!resource.namespaced && namespace !== '') {
    throw new ApiError(422, `${invalid}: Forbidden: cluster-scoped objects have no namespace`);
  }
  return namespace;
}
