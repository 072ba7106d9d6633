/**
 * LimitedSink: a WatchSink in front of another that lets through only objects within the
 * limits (object-limits.ts). An object over them is refused and treated as absent: left
 * out of a replace, not added, and removed when an update makes it too large (the sink
 * never keeps a version that no longer exists). Each refused version is reported once,
 * naming the resource and the object; deletes always pass.
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
    if (this.#allowed(obj)) this.#target.add(obj);
  }

  update(obj: KubeObject): void {
    if (this.#allowed(obj)) this.#target.update(obj);
    else this.#target.delete(obj);
  }

  delete(obj: KubeObject): void {
    this.#target.delete(obj);
  }

  replace(objs: KubeObject[]): void {
    this.#target.replace(objs.filter((obj) => this.#allowed(obj)));
  }

  synced(): void {
    this.#target.synced();
  }

  #allowed(obj: KubeObject): boolean {
    const problem = limitProblem(obj, this.#limits);
    if (problem === undefined) return true;
    const version = `${describeObject(obj)}@${String(obj.metadata.resourceVersion ?? '')}`;
    if (!this.#reported.has(version)) {
      if (this.#reported.size >= DEFAULTS.maxRemembered) this.#reported.clear();
      this.#reported.add(version);
      this.#report(new WatchError(`watched resource ${this.#resource}: ${describeObject(obj)} refused: ${problem}; it is left out`, { resource: this.#resource }));
    }
    return false;
  }
}
