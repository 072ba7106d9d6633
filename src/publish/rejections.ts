/**
 * Objects etcd refuses for good: a value larger than etcd accepts (`--max-request-bytes`),
 * or a name that cannot be a key segment. Retrying them cannot succeed, so the publisher
 * skips them, keeps publishing everything else, and reports each refused version once. A
 * refused object is tried again when it changes (another value, or deleted); until then
 * subscribers keep the last version etcd accepted, if any.
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from '../k8s.ts';

/** Which object a write is for, and which version (never the value itself). */
export interface PublishTarget {
  /** The watched resource's name. */
  readonly resource: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion: string | undefined;
  /** The key it is written under, when one could be built. */
  readonly key: string | undefined;
  /** sha256 of the value, telling one version of the object from the next; undefined for a delete. */
  readonly digest: string | undefined;
}

/** A refused object, as /debug/sync shows it. */
export interface RejectedObject {
  resource: string;
  cluster: string;
  namespace: string;
  name: string;
  resourceVersion?: string;
  key?: string;
  /** Why etcd (or the key layout) refused it. */
  reason: string;
  /** Clock time of the refusal of this version. */
  since: number;
}

/** An object the publisher skips because etcd refuses it for good; `cause` says why. */
export class ObjectRejectedError extends Error {
  override readonly name = 'ObjectRejectedError';
  readonly target: PublishTarget;
  constructor(target: PublishTarget, cause: Error) {
    const where = target.namespace === '' ? target.name : `${target.namespace}/${target.name}`;
    super(`cannot publish ${target.resource} ${where} (cluster ${target.cluster}), skipping it until it changes: ${cause.message}`, { cause });
    this.target = target;
  }
}

/** The target of `obj` of watched resource `resource` (value: its stored JSON, for puts). */
export function targetOf(resource: string, cluster: string, obj: KubeObject, key: string | undefined, value: string | undefined): PublishTarget {
  return {
    resource,
    cluster,
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name,
    resourceVersion: obj.metadata.resourceVersion,
    key,
    digest: value === undefined ? undefined : createHash('sha256').update(value).digest('hex'),
  };
}

/** The refused versions of one publisher, by object. */
export class Rejections {
  readonly #byObject = new Map<string, { digest: string | undefined; rejected: RejectedObject }>();

  /** True when this very version of the object was refused already: skip it without trying. */
  refused(target: PublishTarget): boolean {
    const known = this.#byObject.get(publishedIdentity(target));
    return known !== undefined && target.digest !== undefined && known.digest === target.digest;
  }

  /** Records a refusal at clock time `now`; true when this version was not refused before (report it). */
  add(target: PublishTarget, reason: string, now: number): boolean {
    const id = publishedIdentity(target);
    const known = this.#byObject.get(id);
    if (known !== undefined && known.digest === target.digest) return false;
    const rejected: RejectedObject = { resource: target.resource, cluster: target.cluster, namespace: target.namespace, name: target.name, reason, since: now };
    if (target.resourceVersion !== undefined) rejected.resourceVersion = target.resourceVersion;
    if (target.key !== undefined) rejected.key = target.key;
    this.#byObject.set(id, { digest: target.digest, rejected });
    return true;
  }

  /** The object was written or deleted: it is refused no more. */
  clear(target: PublishTarget): void {
    this.#byObject.delete(publishedIdentity(target));
  }

  /** Forgets the refusals of `resource` whose objects are not in `present` (identities of targets). */
  retain(resource: string, present: ReadonlySet<string>): void {
    for (const [id, { rejected }] of this.#byObject) {
      if (rejected.resource === resource && !present.has(id)) this.#byObject.delete(id);
    }
  }

  /** Every refused object, oldest refusal first. */
  list(): RejectedObject[] {
    return [...this.#byObject.values()].map(({ rejected }) => ({ ...rejected })).sort((a, b) => a.since - b.since);
  }

  get size(): number {
    return this.#byObject.size;
  }
}

/** What tells one published object from another across versions, as a string: resource, cluster, namespace, name. */
export function publishedIdentity(target: Pick<PublishTarget, 'resource' | 'cluster' | 'namespace' | 'name'>): string {
  return JSON.stringify([target.resource, target.cluster, target.namespace, target.name]);
}
