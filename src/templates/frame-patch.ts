/**
 * A faster `Frame.set` for nunjucks 3.2.4, patched in at runtime (node_modules is never
 * edited). Stock `set` splits every variable name on "." to support dotted names, so each
 * `{% set %}` and each loop variable allocates an array, and a `{% set %}` inside a loop
 * (which resolves the variable up the frame chain first) splits the name twice. Templates
 * that build a model with `{% set %}` in loops, like examples/templates/_model.njk, spent
 * a third of their render time there (a CPU profile of the haproxy.cfg example).
 *
 * The patch handles names without a dot, the only ones templates write (`{% set a.b %}` does
 * not parse), exactly as stock `set` does, without the split; dotted names (nunjucks' own
 * `loop.index` and friends) go to the stock method unchanged. Applied once, when this
 * module is first imported; nunjucks-patch.ts has already checked the version.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The part of nunjucks' Frame this patch touches. */
interface Frame {
  variables: Record<string, unknown>;
  resolve(name: string, forWrite: boolean): Frame | undefined;
  set(name: string, val: unknown, resolveUp?: boolean): void;
}

const runtime = require('nunjucks/src/runtime') as { Frame: { prototype: Frame } };

/** Stock `Frame.set` without the split for undotted names: same frame chosen, same write. */
function patchFrameSet(proto: Frame): void {
  const stock = proto.set;
  proto.set = function set(this: Frame, name: string, val: unknown, resolveUp?: boolean): void {
    if (name.indexOf('.') !== -1) {
      stock.call(this, name, val, resolveUp);
      return;
    }
    const frame = resolveUp ? (this.resolve(name, true) ?? this) : this;
    frame.variables[name] = val;
  };
}

patchFrameSet(runtime.Frame.prototype);
