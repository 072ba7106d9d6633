/**
 * The output check: one function every value a template prints with `{{ ... }}` goes
 * through, with the position of the expression, before it joins the output. The compiler
 * patch emits the call; this module holds the function the call reaches. With no check
 * set (the default) the call returns the value unchanged, so templates that need none pay
 * one function call per printed value.
 *
 * Literals (`{{ "text" }}`) are written by the template author and are not checked, nor is
 * template text outside `{{ }}`, nor the output of `{% include %}` (its own printed values
 * were checked when it rendered).
 */
import { runtime } from './internals.ts';

/**
 * Checks one printed value; returns what is printed instead (the value itself when it
 * passes). `file` is the template file as the compiler knew it, `line` and `col` the
 * 1-based position where the printed expression starts.
 */
export type OutputCheck = (value: unknown, file: string, line: number, col: number) => unknown;

let current: OutputCheck | undefined;

/**
 * Makes `check` the function printed values go through (undefined: none) and returns the
 * one it replaces. Rendering is synchronous, so a caller that sets a check around one
 * `render()` call and restores the previous one afterwards (in a `finally`) owns every
 * value printed in between.
 */
export function setOutputCheck(check: OutputCheck | undefined): OutputCheck | undefined {
  const previous = current;
  current = check;
  return previous;
}

/** Runtime helper the compiled templates call (as `runtime.informantCheckOutput`). */
export function checkOutput(value: unknown, file: string, line: number, col: number): unknown {
  return current === undefined ? value : current(value, file, line, col);
}

/**
 * True for nunjucks' SafeString: what `| safe` returns, and what macros, `caller()` and
 * `super()` return (text the template itself assembled from values already checked).
 */
export function isSafeString(value: unknown): boolean {
  return value instanceof (runtime.SafeString as unknown as new (...args: never[]) => object);
}
