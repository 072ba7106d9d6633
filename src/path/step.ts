/**
 * How one key/index step reads a child value. Shared by the compiled accessors and the
 * removal helpers so that "present" means the same thing everywhere: an own property of an
 * object (never an inherited one such as `constructor` or `__proto__`), or an existing
 * element of an array addressed by a non-negative integer.
 */
import type { RemovalStep } from './types.ts';

/** Marks "no such field" (distinct from a present `null`). */
export const MISSING: unique symbol = Symbol('missing');

/** A step prepared once: the key for objects and the index for arrays (-1: none). */
export interface Step {
  readonly key: string;
  readonly index: number;
}

/** Prepares a step so reading it does no conversion. */
export function compileStep(step: RemovalStep): Step {
  const key = String(step);
  const index = typeof step === 'number' ? step : /^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : -1;
  return Object.freeze({ key, index });
}

/** The value of `step` inside `container`, or MISSING. */
export function childOf(container: unknown, step: Step): unknown {
  if (container === null || typeof container !== 'object') return MISSING;
  if (Array.isArray(container)) {
    return step.index >= 0 && step.index < container.length ? container[step.index] : MISSING;
  }
  return Object.hasOwn(container, step.key) ? (container as Record<string, unknown>)[step.key] : MISSING;
}
