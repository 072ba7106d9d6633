/**
 * install(): applies this folder's patches to nunjucks (its internals are shared by every
 * Environment in the process). createEnvironment calls it before it builds an Environment;
 * a template compiled before the first call keeps the stock behaviour. Importing any module
 * of this folder changes nothing in nunjucks.
 */
import { installCompilerPatch } from './compiler-patch.ts';
import { installDeadlinePatch } from './deadline-patch.ts';
import { installErrorPatch } from './error-patch.ts';
import { installFramePatch } from './frame-patch.ts';
import { installMemoTag } from './memo-tag.ts';
import { compiler } from './internals.ts';
import { installRuntimePatch } from './runtime-patch.ts';

/** Set on Compiler.prototype once the patches are applied (a registered symbol: one per process). */
const INSTALLED = Symbol.for('informant.nunjucksPatched');

/**
 * Applies the compiler, error, Frame.set, runtime and deadline patches and the memo tag's compiler method, once: later calls do
 * nothing. The installed nunjucks version was checked when internals.ts loaded.
 */
export function install(): void {
  const proto = compiler.Compiler.prototype as { [INSTALLED]?: boolean };
  if (proto[INSTALLED]) return;
  installCompilerPatch();
  installErrorPatch();
  installFramePatch();
  installRuntimePatch();
  installDeadlinePatch();
  installMemoTag();
  Object.defineProperty(proto, INSTALLED, { value: true });
}
