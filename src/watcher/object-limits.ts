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
  const nodes: unknown[] = [value];
  const depths: number[] = [1];
  let bytes = 0;
  while (nodes.length > 0) {
    const node = nodes.pop();
    const depth = depths.pop()!;
    bytes += sizeOf(node);
    if (bytes > limits.maxObjectBytes) return `larger than limits.max_object_size (${formatByteSize(limits.maxObjectBytes)}) as JSON`;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limits.maxDepth) return `nested deeper than limits.max_depth (${limits.maxDepth} levels)`;
    if (Array.isArray(node)) {
      for (const child of node) push(nodes, depths, child, depth + 1);
    } else {
      for (const key in node) {
        bytes += key.length + 4;
        push(nodes, depths, (node as Record<string, unknown>)[key], depth + 1);
      }
    }
  }
  return undefined;
}

function push(nodes: unknown[], depths: number[], child: unknown, depth: number): void {
  nodes.push(child);
  depths.push(depth);
}

/** JSON bytes of a node itself (its children are counted as they are visited). */
function sizeOf(node: unknown): number {
  if (typeof node === 'string') return node.length + 3;
  if (typeof node === 'number') return 8;
  if (typeof node === 'boolean') return 5;
  return node === null || typeof node !== 'object' ? 4 : 2;
}
