/**
 * An allocation-free `runtime.memberLookup` for nunjucks 3.2.4, patched in at runtime
 * (node_modules is never edited). Compiled templates call it for every `a.b` and `a[b]`.
 * Stock `memberLookup` declares, inside itself, the wrapper it returns for a method
 * (`obj.method` as a callable bound to `obj`); because that wrapper captures `obj` and
 * `val`, V8 allocates a context for them on *every* call, method or not. Over the
 * haproxy.cfg example (100 Ingresses) that was 1.9 MB of the render's 6.8 MB of
 * allocations, the largest single source (a sampling heap profile that counts objects
 * scavenged since).
 *
 * The patched lookup returns the same values: undefined for a null or undefined `obj`,
 * for a function a wrapper that reads `obj[val]` when called and calls it with `obj` as
 * `this` (built outside, so only method lookups allocate it), otherwise `obj[val]`. It
 * reads `obj[val]` once where stock reads it twice (the `typeof` test and the result);
 * every object templates read (plain data, the resources views, the on-demand
 * placeholder) answers a read without side effects, so only the count of reads differs.
 * Applied once, when this module is first imported; refuses another nunjucks version.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The only nunjucks version whose `memberLookup` this module reproduces. */
const PATCHED_VERSION = '3.2.4';

type Lookup = (obj: unknown, val: PropertyKey) => unknown;

const runtime = require('nunjucks/src/runtime') as { memberLookup: Lookup };

/** Stock `memberLookup`'s wrapper for a method: `obj[val]` read at call time, called on `obj`. */
function boundMember(obj: Record<PropertyKey, unknown>, val: PropertyKey): (...args: unknown[]) => unknown {
  return function member(...args: unknown[]): unknown {
    return (obj[val] as (...a: unknown[]) => unknown).apply(obj, args);
  };
}

/** Stock `memberLookup` (nunjucks/src/runtime.js), allocating only for methods. */
function memberLookup(obj: unknown, val: PropertyKey): unknown {
  if (obj === undefined || obj === null) return undefined;
  const value = (obj as Record<PropertyKey, unknown>)[val];
  if (typeof value === 'function') return boundMember(obj as Record<PropertyKey, unknown>, val);
  return value;
}

function applyPatch(): void {
  const { version } = require('nunjucks/package.json') as { version: string };
  if (version !== PATCHED_VERSION) {
    throw new Error(
      `member-lookup-patch.ts replaces nunjucks ${PATCHED_VERSION}'s memberLookup, but nunjucks ${version} is installed`,
    );
  }
  runtime.memberLookup = memberLookup;
}

applyPatch();
