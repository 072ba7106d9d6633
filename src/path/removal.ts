/**
 * remove_fields support: compileRemoval checks that an expression is a simple path (keys
 * and indices only) and yields its steps; removePath deletes in place, withoutPath returns
 * a copy-on-write result that shares every untouched branch with the input.
 */
import type { PathRemoval } from './types.ts';
import { PathError } from './error.ts';
import { parsePath } from './parse.ts';
import { simpleSteps } from './accessor.ts';
import { MISSING, childOf, compileStep, type Step } from './step.ts';

/**
 * Compiles a remove_fields entry. Throws PathError when the expression does not parse or
 * is not a simple path (a wildcard, union, slice or `..` selects an unknown set of fields,
 * which remove_fields does not allow).
 */
export function compileRemoval(expr: string): PathRemoval {
  const parsed = parsePath(expr);
  const complex = parsed.segments.find((s) => s.kind !== 'key' && s.kind !== 'index');
  if (complex !== undefined) {
    const what = complex.kind === 'descendant' ? "recursive descent '..'" : `a ${complex.kind}`;
    throw new PathError(expr, complex.offset, `remove_fields accepts only keys and indices, not ${what}`);
  }
  return Object.freeze({ expr, segments: simpleSteps(parsed) });
}

/**
 * Deletes the field `removal` names from `obj`, in place. An array element is spliced out
 * (later elements move up). Returns whether something was removed; a missing field or a
 * path through a non-object is not an error.
 */
export function removePath(obj: unknown, removal: PathRemoval): boolean {
  const steps = removal.segments.map(compileStep);
  let parent = obj;
  for (let i = 0; i < steps.length - 1; i++) {
    parent = childOf(parent, steps[i] as Step);
    if (parent === MISSING) return false;
  }
  const last = steps[steps.length - 1] as Step;
  if (childOf(parent, last) === MISSING) return false;
  if (Array.isArray(parent)) parent.splice(last.index, 1);
  else delete (parent as Record<string, unknown>)[last.key];
  return true;
}

/**
 * `obj` without the field `removal` names, never mutating `obj`: the same reference when
 * the field is absent, otherwise shallow copies along the path and shared everything else.
 */
export function withoutPath<T>(obj: T, removal: PathRemoval): T {
  return without(obj, removal.segments.map(compileStep), 0) as T;
}

function without(value: unknown, steps: readonly Step[], depth: number): unknown {
  const step = steps[depth] as Step;
  const child = childOf(value, step);
  if (child === MISSING) return value;
  const last = depth === steps.length - 1;
  const replacement = last ? MISSING : without(child, steps, depth + 1);
  if (replacement === child) return value;
  if (Array.isArray(value)) {
    const copy = value.slice();
    if (replacement === MISSING) copy.splice(step.index, 1);
    else copy[step.index] = replacement;
    return copy;
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  if (replacement === MISSING) delete copy[step.key];
  else copy[step.key] = replacement;
  return copy;
}
