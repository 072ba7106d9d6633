/**
 * Bounds on the objects sources hand over (limits in the config): how large an object
 * may be as JSON, and how deeply it may nest. Content comes from tenants (and an etcd
 * prefix, a manifests folder from whoever can write them), so every source checks what
 * it read before anything walks it recursively (stores freeze, templates render,
 * JSON.stringify serializes, structuredClone copies: all overflow the stack past some
 * thousands of levels).
 */
import { formatByteSize } from '../config/index.ts';
import type { LimitsConfig } from '../config/types.ts';

/** The bounds one object is checked against. */
export type ObjectLimits = Pick<LimitsConfig, 'maxObjectBytes' | 'maxDepth'>;

/**
 * Why `value` crosses `limits`, or undefined: nested deeper than maxDepth, or larger than
 * maxObjectBytes as JSON (approximately: strings, keys and punctuation counted, escapes
 * and number digits estimated). The walk is iterative and stops at the first bound
 * crossed, so a hostile value costs no more than the bound.
 */
export function limitProblem(value: unknown, limits: ObjectLimits): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const stack: unknown[] = [value];
  let bytes = 0;
  let depth = 0;
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === LEVEL_END) {
      depth--;
      continue;
    }
    if (++depth > limits.maxDepth) return `nested deeper than limits.max_depth (${limits.maxDepth} levels)`;
    stack.push(LEVEL_END); // popped once the children pushed below are done
    bytes += Array.isArray(node) ? childrenOfArray(node, stack) : childrenOfObject(node as Record<string, unknown>, stack);
    if (bytes > limits.maxObjectBytes) return `larger than limits.max_object_size (${formatByteSize(limits.maxObjectBytes)}) as JSON`;
  }
  return undefined;
}

/** Marks, on the walk's stack, the end of one object's children. */
const LEVEL_END = Symbol('level end');

/** Pushes the object and array elements of `node`; returns the JSON bytes of the rest and the brackets. */
function childrenOfArray(node: unknown[], stack: unknown[]): number {
  let bytes = 2;
  for (let i = 0; i < node.length; i++) {
    const child = node[i];
    if (typeof child === 'object' && child !== null) stack.push(child);
    else bytes += primitiveBytes(child);
  }
  return bytes;
}

/** Pushes the object and array values of `node`; returns the JSON bytes of its keys, other values and braces. */
function childrenOfObject(node: Record<string, unknown>, stack: unknown[]): number {
  let bytes = 2;
  for (const key in node) {
    const child = node[key];
    bytes += key.length + 4;
    if (typeof child === 'object' && child !== null) stack.push(child);
    else bytes += primitiveBytes(child);
  }
  return bytes;
}

function primitiveBytes(value: unknown): number {
  return typeof value === 'string' ? value.length + 3 : 8;
}
