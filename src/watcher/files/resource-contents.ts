/**
 * What each watched resource holds according to the manifest files, and the events that
 * turn one state into the next. Identity is cluster/namespace/name within a resource; content is
 * compared as canonical JSON, so an object moved between files, or rewritten unchanged,
 * yields no event.
 */
import { compareByNamespaceName, objectId, type KubeObject } from '../../k8s.ts';

/** An object read from a file, ready for delivery. */
export interface PreparedObject {
  /** The delivered form (synthetic uid/resourceVersion filled in). Never handed out: deliver copies. */
  readonly obj: KubeObject;
  /** Canonical JSON of the object as written; equal content, equal string. */
  readonly content: string;
  readonly file: string;
  /** Where it starts in its file; absent in a JSON file. */
  readonly line?: number | undefined;
  readonly col?: number | undefined;
  /** The watched resources the object belongs to (routing done once, when the file is read). */
  readonly resources: readonly string[];
}

/** One resource's objects by identity (objectId). */
export type ResourceContents = Map<string, PreparedObject>;

/** Two objects of one resource with the same identity; the later file's (`kept`) wins. */
export interface Duplicate {
  resource: string;
  id: string;
  kept: PreparedObject;
  dropped: PreparedObject;
}

/**
 * Builds every resource's contents from the files' objects, given in file order (sorted
 * paths). When an identity repeats, the later object wins and `onDuplicate` hears of it.
 */
export function collectContents(
  resources: readonly string[],
  files: Iterable<readonly PreparedObject[]>,
  onDuplicate: (duplicate: Duplicate) => void,
): Map<string, ResourceContents> {
  const contents = new Map<string, ResourceContents>(resources.map((name) => [name, new Map()]));
  for (const objects of files) {
    for (const prepared of objects) {
      for (const resource of prepared.resources) {
        const target = contents.get(resource);
        if (target === undefined) continue;
        const id = objectId(prepared.obj);
        const previous = target.get(id);
        if (previous !== undefined) onDuplicate({ resource, id, kept: prepared, dropped: previous });
        target.set(id, prepared);
      }
    }
  }
  return contents;
}

/** The events from one resource state to the next; each list sorted by namespace then name. */
export interface ResourceChanges {
  added: PreparedObject[];
  updated: PreparedObject[];
  /** The objects as last delivered. */
  deleted: PreparedObject[];
}

/** Compares two states of one resource: new identities are added, changed content updated, missing ones deleted. */
export function diffContents(current: ResourceContents, next: ResourceContents): ResourceChanges {
  const changes: ResourceChanges = { added: [], updated: [], deleted: [] };
  for (const [id, prepared] of next) {
    const before = current.get(id);
    if (before === undefined) changes.added.push(prepared);
    else if (before.content !== prepared.content) changes.updated.push(prepared);
  }
  for (const [id, prepared] of current) {
    if (!next.has(id)) changes.deleted.push(prepared);
  }
  for (const list of Object.values(changes)) list.sort(byNamespaceName);
  return changes;
}

/** True when the changes contain no event. */
export function isUnchanged(changes: ResourceChanges): boolean {
  return changes.added.length + changes.updated.length + changes.deleted.length === 0;
}

/** Orders prepared objects by namespace then name. */
export function byNamespaceName(a: PreparedObject, b: PreparedObject): number {
  return compareByNamespaceName(a.obj, b.obj);
}
