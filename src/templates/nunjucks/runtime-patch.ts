/**
 * The runtime patch: two helpers of nunjucks' runtime without their per-call allocations.
 * Compiled templates call both through the `runtime` object, so replacing them there
 * reaches every template compiled afterwards. Over the haproxy.cfg example (100 Ingresses)
 * they allocated 2.1 MB of the render's 6.8 MB (a sampling heap profile that counts objects
 * scavenged since); a render that allocates less meets a scavenge less often.
 *
 * - `memberLookup` (every `a.b` and `a[b]`). Stock declares, inside itself, the wrapper it
 *   returns for a method; because that wrapper captures `obj` and `val`, V8 allocates a
 *   context for them on *every* call, method or not (1.9 MB). The patched lookup returns
 *   the same values: undefined for a null or undefined `obj`; for a function a wrapper,
 *   built outside, that reads `obj[val]` when called and calls it with `obj` as `this`;
 *   otherwise `obj[val]`. It reads `obj[val]` once where stock reads it twice (the
 *   `typeof` test and the result); every object templates read (plain data, the
 *   resources views, the on-demand placeholder) answers a read without side effects, so
 *   only the count of reads differs. Method calls (`a.b(...)`) no longer go through it at
 *   all: the compiler patch compiles them to `informantCallMember`, which calls the method
 *   without a wrapper.
 * - `makeMacro` (every macro call). Stock copies the arguments into an array and builds an
 *   empty keyword-argument object even for a call that passes exactly the macro's
 *   positional arguments, and then calls the macro body with that same array. The patched
 *   wrapper passes such a call straight to the body (with `arguments`, which V8 forwards
 *   without an array) and leaves every other call (keyword arguments, fewer or more
 *   arguments) to the stock wrapper.
 */
import { isKeywordArgs, runtime, type Fn, type Runtime } from './internals.ts';

/** Stock `memberLookup`'s wrapper for a method: `obj[val]` read at call time, called on `obj`. */
function boundMember(obj: Record<PropertyKey, unknown>, val: PropertyKey): Fn {
  return function member(...args: unknown[]): unknown {
    return (obj[val] as Fn).apply(obj, args);
  };
}

/** Stock `memberLookup` (nunjucks/src/runtime.js), allocating only for methods. */
function memberLookup(obj: unknown, val: PropertyKey): unknown {
  if (obj === undefined || obj === null) return undefined;
  const value = (obj as Record<PropertyKey, unknown>)[val];
  if (typeof value === 'function') return boundMember(obj as Record<PropertyKey, unknown>, val);
  return value;
}

/** Stock `makeMacro`, with the call that passes exactly the positional arguments going straight to `func`. */
function makeMacro(stock: Runtime['makeMacro']): Runtime['makeMacro'] {
  return function (argNames, kwargNames, func) {
    const slow = stock(argNames, kwargNames, func);
    const count = argNames.length;
    return function macro(this: unknown): unknown {
      const n = arguments.length;
      if (n !== count || (n > 0 && isKeywordArgs(arguments[n - 1]))) {
        return slow.apply(this, arguments as unknown as unknown[]);
      }
      return func.apply(this, arguments as unknown as unknown[]);
    };
  };
}

/** Applies the runtime patch; install() calls it once. */
export function installRuntimePatch(): void {
  runtime.memberLookup = memberLookup;
  runtime.makeMacro = makeMacro(runtime.makeMacro);
}
