/**
 * The Frame.set patch: a faster `Frame.set`. Stock `set` splits every variable name on "."
 * (to support dotted names), so each `{% set %}` and each of the seven `loop.*` variables a
 * `{% for %}` sets per iteration allocates an array, and a `{% set %}` inside a loop (which
 * first resolves the variable up the frame chain) splits its name twice. Templates that
 * build a model with `{% set %}` in loops, like examples/templates/_model.njk, spent a
 * third of their render time there (a CPU profile of the haproxy.cfg example).
 *
 * The patched `set` chooses the same frame and writes the same properties as stock `set`;
 * an undotted name (every name a template can `{% set %}`) is written directly, and a
 * dotted one (nunjucks' own `loop.index` and friends, a fixed handful) is split once and
 * remembered.
 */
import { runtime, type Frame } from './internals.ts';

const DEFAULTS = Object.freeze({
  /** Dotted names remembered at most (the compiler emits a handful; a bound keeps it a cache). */
  maxRememberedNames: 1_000,
});

const splitNames = new Map<string, readonly string[]>();

/** `name.split('.')`, remembered. */
function partsOf(name: string): readonly string[] {
  let parts = splitNames.get(name);
  if (parts === undefined) {
    parts = Object.freeze(name.split('.'));
    if (splitNames.size < DEFAULTS.maxRememberedNames) splitNames.set(name, parts);
  }
  return parts;
}

/** Stock `Frame.set` (nunjucks/src/runtime.js), without a split per call. */
function set(this: Frame, name: string, val: unknown, resolveUp?: boolean): void {
  if (name.indexOf('.') === -1) {
    const frame = resolveUp ? (this.resolve(name, true) ?? this) : this;
    frame.variables[name] = val;
    return;
  }
  const parts = partsOf(name);
  if (resolveUp) {
    const found = this.resolve(parts[0]!, true);
    if (found) {
      found.set(name, val);
      return;
    }
  }
  let obj = this.variables;
  for (let i = 0; i < parts.length - 1; i++) {
    const id = parts[i]!;
    if (!obj[id]) obj[id] = {};
    obj = obj[id] as Record<string, unknown>;
  }
  obj[parts[parts.length - 1]!] = val;
}

/** Applies the Frame.set patch; install() calls it once. */
export function installFramePatch(): void {
  runtime.Frame.prototype.set = set;
}
