/**
 * LimitedSink: a WatchSink in front of another that lets through only objects within the
 * limits (object-limits.ts). What is checked is what the sink behind keeps (its `kept`,
 * when it has one: the indexer's object without remove_fields), and that is what is handed
 * on: every walk after this one (freezing, rendering, serializing) sees only that, and
 * managedFields, a third of a typical object, are not walked at all. An object over the
 * limits is refused and treated as absent: left out of a replace, not added, and removed
 * when an update makes it too large (the sink never keeps a version that no longer
 * exists). Each refused version is reported once, naming the resource and the object;
 * deletes always pass.
 */
import { describeObject, type KubeObject } from '../k8s.ts';
import { WatchError, type WatchSink } from './index.ts';
import { limitProblem, type ObjectLimits } from './object-limits.ts';

const DEFAULTS = Object.freeze({
  /** Refused versions remembered (not reported twice); the memory is cleared past this many. */
  maxRemembered: 10_000,
});

/** Wraps each sink of `sinks` (by watched resource name) in a LimitedSink reporting to `report`. */
export function limitedSinks(
  sinks: ReadonlyMap<string, WatchSink>,
  limits: ObjectLimits,
  report: (err: WatchError) => void,
): Map<string, WatchSink> {
  return new Map([...sinks].map(([name, sink]) => [name, new LimitedSink(name, sink, limits, report)]));
}

/** See the module comment. */
export class LimitedSink implements WatchSink {
  readonly #resource: string;
  readonly #target: WatchSink;
  readonly #limits: ObjectLimits;
  readonly #report: (err: WatchError) => void;
  readonly #reported = new Set<string>();

  constructor(resource: string, target: WatchSink, limits: ObjectLimits, report: (err: WatchError) => void) {
    this.#resource = resource;
    this.#target = target;
    this.#limits = limits;
    this.#report = report;
  }

  add(obj: KubeObject): void {
    const kept = this.#admitted(obj);
    if (kept !== undefined) this.#target.add(kept);
  }

  update(obj: KubeObject): void {
    const kept = this.#admitted(obj);
    if (kept !== undefined) this.#target.update(kept);
    else this.#target.delete(obj);
  }

  delete(obj: KubeObject): void {
    this.#target.delete(obj);
  }

  replace(objs: KubeObject[]): void {
    const admitted: KubeObject[] = [];
    for (const obj of objs) {
      const kept = this.#admitted(obj);
      if (kept !== undefined) admitted.push(kept);
    }
    this.#target.replace(admitted);
  }

  synced(): void {
    this.#target.synced();
  }

  /** What the target keeps of `obj`, when that is within the limits; else undefined (reported once per version). */
  #admitted(obj: KubeObject): KubeObject | undefined {
    const kept = this.#target.kept?.(obj) ?? obj;
    const problem = limitProblem(kept, this.#limits);
    if (problem === undefined) return kept;
    const version = `${describeObject(obj)}@${String(obj.metadata.resourceVersion ?? '')}`;
    if (!this.#reported.has(version)) {
      if (this.#reported.size >= DEFAULTS.maxRemembered) this.#reported.clear();
      this.#reported.add(version);
      this.#report(new WatchError(`watched resource ${this.#resource}: ${describeObject(obj)} refused: ${problem}; it is left out`, { resource: this.#resource }));
    }
    return undefined;
  }

  /** The target's `kept`, so a LimitedSink in front of another one passes it through. */
  kept(obj: KubeObject): KubeObject {
    return this.#target.kept?.(obj) ?? obj;
  }
}
