/**
 * Isolation: the objects one render leaves out, across its passes (see index.ts). It hands
 * each pass a fresh PassReport, decides after the pass what to leave out, and gives the
 * next pass stores without those objects.
 */
import { basename } from 'node:path';
import { objectId, type KubeObject } from '../../k8s.ts';
import { isOnDemandStore, type StoreReader } from '../../store/index.ts';
import { filterStore } from '../filtered-store.ts';
import { describeCharacter, oneLine } from '../unsafe-text.ts';
import type { ObjectReport, ObjectRequest, RenderReport, UnsafeValue } from './index.ts';
import { PassReport } from './pass-report.ts';
import { holdersOf, suspectsAmong, type Candidate } from './value-search.ts';

/** What one pass's findings led to. */
export interface Decision {
  /** Objects newly left out: render again. */
  leftOut: number;
  /** A refused value no visible object holds (the template made it): the render fails on it. */
  unattributed?: UnsafeValue;
}

/** Identities are kept as strings, one per line of text. */
const NAME_LENGTH = 253;

/** The objects one render leaves out. Not shared between renders. */
export class Isolation {
  readonly #stores: ReadonlyMap<string, StoreReader>;
  /** resource → objectIds left out. */
  readonly #hidden = new Map<string, Set<string>>();
  readonly #leftOut: ObjectReport[] = [];
  /** Full stores' objects → the resources holding them; built on the first lookup. */
  #byReference: Map<KubeObject, string[]> | undefined;
  /** On-demand stores' references by identity → the resources and references; built on the first lookup that needs it. */
  #byIdentity: Map<string, Array<{ resource: string; ref: KubeObject }>> | undefined;

  constructor(stores: ReadonlyMap<string, StoreReader>) {
    this.#stores = stores;
  }

  /** A report for the next pass; `rejected_objects()` in it lists what is left out so far. */
  startPass(lineMode: boolean): PassReport {
    return new PassReport({ lineMode, leftOut: Object.freeze([...this.#leftOut]), owners: (obj) => this.#ownersOf(obj) });
  }

  /** Whether `obj` (an object a template read) is left out of this render. */
  hides(obj: KubeObject): boolean {
    if (this.#hidden.size === 0 || obj === null || typeof obj !== 'object' || obj.metadata === null || typeof obj.metadata !== 'object') return false;
    const id = objectId(obj);
    return this.#ownersOf(obj).some((resource) => this.#hidden.get(resource)?.has(id) === true);
  }

  /** `store` as the next pass sees it: itself, or without the objects left out of it. */
  visible(resource: string, store: StoreReader): StoreReader {
    const hidden = this.#hidden.get(resource);
    if (hidden === undefined) return store;
    return filterStore(store, (obj) => !hidden.has(objectId(obj)));
  }

  /**
   * Leaves out what a complete pass rejected: every object it passed to fail_object (or a
   * validating filter), and every visible object holding a value the line check refused.
   */
  decide(report: PassReport): Decision {
    const before = this.#leftOut.length;
    for (const request of report.rejections) this.#leaveOut(request);
    let unattributed: UnsafeValue | undefined;
    // The objects this pass could print from; those left out just now stay suspects (#hide skips them).
    const suspects = report.unsafeValues.length > 0 ? suspectsAmong(this.#candidates()) : [];
    for (const value of report.unsafeValues) {
      const holders = holdersOf(value.text, suspects);
      if (holders.length === 0) unattributed ??= value;
      for (const { resource, obj } of holders) this.#hide(resource, obj, refusedReason(value));
    }
    const leftOut = this.#leftOut.length - before;
    return unattributed === undefined || leftOut > 0 ? { leftOut } : { leftOut, unattributed };
  }

  /** The objects left out and the final pass's warnings. */
  report(final: PassReport): RenderReport {
    const warnings = new Map<string, ObjectReport>();
    for (const request of final.warnings) {
      for (const resource of this.#ownersOf(request.obj)) {
        const entry = objectReport(resource, request.obj, request.reason);
        warnings.set(`${resource}\0${objectId(request.obj)}\0${request.reason}`, entry);
      }
    }
    return { leftOut: sortReports(this.#leftOut), warnings: sortReports([...warnings.values()]) };
  }

  #leaveOut(request: ObjectRequest): void {
    for (const resource of this.#ownersOf(request.obj)) this.#hide(resource, request.obj, request.reason);
  }

  #hide(resource: string, obj: KubeObject, reason: string): void {
    let hidden = this.#hidden.get(resource);
    if (hidden === undefined) this.#hidden.set(resource, (hidden = new Set()));
    const id = objectId(obj);
    if (hidden.has(id)) return;
    hidden.add(id);
    this.#leftOut.push(objectReport(resource, obj, reason));
  }

  /** The resources that hold `obj`: the same object in a full store, or the same uid (else identity) in an on-demand one. */
  #ownersOf(obj: KubeObject): readonly string[] {
    this.#byReference ??= referenceIndex(this.#stores);
    const owners = this.#byReference.get(obj);
    if (owners !== undefined) return owners;
    if (obj.metadata === null || typeof obj.metadata !== 'object') return [];
    this.#byIdentity ??= identityIndex(this.#stores);
    const { uid } = obj.metadata;
    return (this.#byIdentity.get(objectId(obj)) ?? [])
      .filter(({ ref }) => (uid === undefined || ref.metadata.uid === uid) && (ref.kind === undefined || obj.kind === undefined || ref.kind === obj.kind))
      .map(({ resource }) => resource);
  }

  /** Every visible object whose body is at hand: full stores' objects, on-demand stores' cached bodies. */
  *#candidates(): Generator<Candidate> {
    for (const [resource, store] of this.#stores) {
      const visible = this.visible(resource, store);
      for (const obj of visible.list()) {
        if (!isOnDemandStore(visible)) {
          yield { resource, obj };
          continue;
        }
        const body = visible.cached(obj);
        if (body.state === 'hit') yield { resource, obj: body.obj };
      }
    }
  }
}

function referenceIndex(stores: ReadonlyMap<string, StoreReader>): Map<KubeObject, string[]> {
  const index = new Map<KubeObject, string[]>();
  for (const [resource, store] of stores) {
    if (isOnDemandStore(store)) continue;
    for (const obj of store.list()) {
      const owners = index.get(obj);
      if (owners === undefined) index.set(obj, [resource]);
      else owners.push(resource);
    }
  }
  return index;
}

function identityIndex(stores: ReadonlyMap<string, StoreReader>): Map<string, Array<{ resource: string; ref: KubeObject }>> {
  const index = new Map<string, Array<{ resource: string; ref: KubeObject }>>();
  for (const [resource, store] of stores) {
    if (!isOnDemandStore(store)) continue;
    for (const ref of store.list()) {
      const id = objectId(ref);
      const entries = index.get(id);
      if (entries === undefined) index.set(id, [{ resource, ref }]);
      else entries.push({ resource, ref });
    }
  }
  return index;
}

/** Why an object holding a refused value is left out: where it was printed and what it holds, never the value. */
function refusedReason(value: UnsafeValue): string {
  const at = `${basename(value.file)}:${value.line}:${value.col}`;
  return `the value printed at ${at} holds ${describeCharacter(value.code)} at character ${value.index + 1} (escape: line)`;
}

function objectReport(resource: string, obj: KubeObject, reason: string): ObjectReport {
  const { cluster, namespace, name, resourceVersion } = obj.metadata;
  return Object.freeze({
    resource,
    ...(typeof obj.kind === 'string' ? { kind: oneLine(obj.kind, NAME_LENGTH) } : {}),
    ...(typeof cluster === 'string' ? { cluster: oneLine(cluster, NAME_LENGTH) } : {}),
    namespace: oneLine(typeof namespace === 'string' ? namespace : '', NAME_LENGTH),
    name: oneLine(String(name), NAME_LENGTH),
    ...(typeof resourceVersion === 'string' ? { resourceVersion: oneLine(resourceVersion, NAME_LENGTH) } : {}),
    reason,
  });
}

function sortReports(reports: readonly ObjectReport[]): readonly ObjectReport[] {
  const key = (r: ObjectReport) => `${r.resource}\0${r.namespace}\0${r.name}\0${r.cluster ?? ''}\0${r.reason}`;
  return Object.freeze([...reports].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)));
}
