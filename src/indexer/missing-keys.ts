/**
 * MissingKeys: the objects of one watched resource that are not stored because they have
 * no usable index key, so they are visible (metrics, the debug endpoint, one log line
 * each) instead of silently dropped.
 */
import { objectId, type KubeObject } from '../k8s.ts';
import type { Logger } from '../log.ts';
import { compareStrings } from '../text/compare-strings.ts';
import type { KeyProblem } from './index-key.ts';
import type { IndexerStats, MissingKey } from './types.ts';

/**
 * Tracks which identities (namespace/name) currently lack an index key. An identity is
 * counted and logged (warn) when it enters the set, not again while it stays there; it
 * leaves when a later version has a key or the object is deleted, and is counted and
 * logged again only if it loses its key again after that.
 */
export class MissingKeys {
  readonly #resource: string;
  readonly #logger: Logger;
  #current = new Map<string, MissingKey>();
  #total = 0;

  constructor(resource: string, logger: Logger) {
    this.#resource = resource;
    this.#logger = logger;
  }

  /** Notes that `obj` has no usable key. */
  record(obj: KubeObject, problem: KeyProblem): void {
    const id = objectId(obj);
    const known = this.#current.has(id);
    this.#current.set(id, { id, expr: problem.expr, reason: problem.reason });
    if (!known) this.#report(obj, problem);
  }

  /** Notes that `obj` has a key again, or is gone. */
  forget(obj: KubeObject): void {
    if (this.#current.size > 0) this.#current.delete(objectId(obj));
  }

  /** After a relist: exactly these objects lack a key now; newly missing ones are reported. */
  reset(problems: ReadonlyArray<{ obj: KubeObject; problem: KeyProblem }>): void {
    const previous = this.#current;
    this.#current = new Map();
    for (const { obj, problem } of problems) {
      const id = objectId(obj);
      this.#current.set(id, { id, expr: problem.expr, reason: problem.reason });
      if (!previous.has(id)) this.#report(obj, problem);
    }
  }

  /** The running count and the current set, sorted by identity. */
  stats(): IndexerStats {
    const missing = [...this.#current.values()].sort((a, b) => compareStrings(a.id, b.id));
    return { missingKeys: this.#total, missing };
  }

  #report(obj: KubeObject, problem: KeyProblem): void {
    this.#total++;
    this.#logger.warn(
      {
        namespace: obj.metadata.namespace,
        name: obj.metadata.name,
        expr: problem.expr,
        reason: problem.reason,
      },
      `watched resource "${this.#resource}": ${objectId(obj)} is not stored: index_by ${JSON.stringify(problem.expr)} yields ${problem.reason}`,
    );
  }
}
