/**
 * deepFreeze: makes a plain JSON value read-only all the way down, so objects a store
 * hands out cannot be changed behind its back.
 */

/**
 * Freezes `value` and every object and array reachable from it, in place, and returns it.
 * Primitives are returned as they are. An object that is already frozen is taken to be
 * deeply frozen and is not descended into: that makes re-inserting shared subtrees cheap
 * and makes shared or cyclic references safe. Each object is frozen before its children,
 * so a cycle ends at the first object visited twice.
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
  } else {
    const record = value as Record<string, unknown>;
    for (const key in record) deepFreeze(record[key]);
  }
  return value;
}
