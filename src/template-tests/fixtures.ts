/**
 * The objects one template test renders from. In `layer` mode: the manifests of
 * source.files (read once per run), minus the test's `remove` entries; then, in both modes,
 * the test's fixture files (each read like source.files) and its inline fixtures. Later
 * objects win over earlier ones with the same identity, so a fixture replaces the manifest
 * object it names.
 */
import { DEFAULT_LIMITS } from '../config/index.ts';
import type { ObjectReference, TemplateTestConfig } from '../config/types.ts';
import { describeObject, type KubeObject } from '../k8s.ts';
import { FileTooLargeError, listManifestFiles, parseManifest, readManifestText } from '../watcher/files/index.ts';

/** Objects read from manifests, in file order, and what kept others from loading. */
export interface LoadedObjects {
  objects: KubeObject[];
  /** One message per problem, each starting with its file:line:col. */
  problems: string[];
}

/**
 * Reads every manifest under `path` (a folder, nested folders included, or one file) in
 * sorted path order, as the files source does. Never throws; problems are returned.
 */
export async function readManifests(path: string): Promise<LoadedObjects> {
  let listing;
  try {
    listing = await listManifestFiles(path);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(err as Error).message})`;
    return { objects: [], problems: [`manifests path ${path} ${why}`] };
  }
  const loaded: LoadedObjects = { objects: [], problems: listing.problems.map((p) => p.message) };
  for (const file of listing.files) {
    let text: string;
    try {
      text = await readManifestText(file.path, DEFAULT_LIMITS.maxFileBytes);
    } catch (err) {
      const why = err instanceof FileTooLargeError ? err.message : `cannot read file (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
      loaded.problems.push(`${file.path}: ${why}`);
      continue;
    }
    const parsed = parseManifest(file.path, text);
    loaded.objects.push(...parsed.objects.map((found) => found.obj));
    loaded.problems.push(...parsed.problems.map((p) => p.message));
  }
  return loaded;
}

/** The base manifests of a run (source.files), read the first time a `layer` test needs them. */
export class BaseManifests {
  readonly #path: string | undefined;
  #loaded: Promise<LoadedObjects> | undefined;

  /** `path`: the manifests of source.files; undefined when the config watches a cluster. */
  constructor(path: string | undefined) {
    this.#path = path;
  }

  /** The manifests' objects and problems; the same answer for every call. */
  load(): Promise<LoadedObjects> {
    if (this.#path === undefined) return Promise.resolve({ objects: [], problems: ['fixtures_mode: layer needs source.files'] });
    this.#loaded ??= readManifests(this.#path);
    return this.#loaded;
  }
}

/** The objects of one test, in delivery order, or the problems that keep it from running. */
export async function testObjects(test: TemplateTestConfig, base: BaseManifests): Promise<LoadedObjects> {
  const result: LoadedObjects = { objects: [], problems: [] };
  if (test.fixturesMode === 'layer') {
    const manifests = await base.load();
    result.problems.push(...manifests.problems);
    result.objects.push(...withoutRemoved(manifests.objects, test.remove, result.problems));
  }
  for (const path of test.fixtureFiles) {
    const loaded = await readManifests(path);
    result.objects.push(...loaded.objects);
    result.problems.push(...loaded.problems);
  }
  result.objects.push(...test.fixtures.map(normalized));
  return result;
}

/** `objects` without those `remove` names; a reference that names none is a problem. */
function withoutRemoved(objects: readonly KubeObject[], remove: readonly ObjectReference[], problems: string[]): KubeObject[] {
  const used = new Set<ObjectReference>();
  const kept = objects.filter((obj) => {
    const reference = remove.find((ref) => names(ref, obj));
    if (reference !== undefined) used.add(reference);
    return reference === undefined;
  });
  for (const reference of remove.filter((ref) => !used.has(ref))) {
    problems.push(`remove: the manifests hold no ${describeReference(reference)}`);
  }
  return kept;
}

function names(reference: ObjectReference, obj: KubeObject): boolean {
  return (
    reference.kind === obj.kind &&
    reference.name === obj.metadata.name &&
    reference.namespace === obj.metadata.namespace &&
    (reference.apiVersion === undefined || reference.apiVersion === obj.apiVersion)
  );
}

function describeReference(reference: ObjectReference): string {
  const obj: KubeObject = { kind: reference.kind, metadata: { name: reference.name } };
  if (reference.namespace !== undefined) obj.metadata.namespace = reference.namespace;
  const version = reference.apiVersion === undefined ? '' : ` (${reference.apiVersion})`;
  return `${describeObject(obj)}${version}`;
}

/** An inline fixture in the shape a manifest file gives: no empty namespace, no null labels. */
function normalized(obj: KubeObject): KubeObject {
  const copy = structuredClone(obj);
  const meta = copy.metadata as Record<string, unknown>;
  if (meta.namespace === null || meta.namespace === '') delete meta.namespace;
  if (meta.labels === null) delete meta.labels;
  return copy;
}
