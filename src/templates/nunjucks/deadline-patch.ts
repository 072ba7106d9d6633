/**
 * The render deadline: compiled templates check the time as they run, so a render that
 * runs too long (nested loops over large lists, runaway recursion through macros) stops
 * with an error at the loop or macro call where its time ran out, instead of holding the
 * process (its probes, its signals) for as long as it likes.
 *
 * - Every iteration of a `{% for %}` (arrays and objects alike) and every macro call
 *   counts a tick; every DEFAULTS.ticksPerCheck ticks the clock is read. A tick costs an
 *   increment and a mask; the clock read is rare.
 * - `range()` is bounded (DEFAULTS.maxRangeLength numbers): stock nunjucks builds the whole
 *   array first, so `range(0, 1e9)` would exhaust memory before any loop ticks.
 * - The deadline is set around one synchronous render pass (runWithDeadline). A pass is
 *   synchronous, so one process-wide deadline serves every template: passes never overlap.
 *
 * What it cannot stop: one long call that does not return to the template (a regular
 * expression with catastrophic backtracking in `regex_replace`, a filter over a huge
 * list); those end when the call does.
 */
import { performance } from 'node:perf_hooks';
import { compiler, lib, runtime, type AstNode, type Compiler, type CompilerMethod, type Fn } from './internals.ts';

export const DEFAULTS = Object.freeze({
  /** Ticks between two clock reads (a power of two): rare enough to cost nothing, often enough to stop within milliseconds. */
  ticksPerCheck: 128,
  /** Numbers range() produces at most: far more than a config needs, far less than memory holds. */
  maxRangeLength: 1_000_000,
});

/** The deadline of the pass running now (performance.now() ms), and the timeout it came from (for the message). */
let deadlineAt = Number.POSITIVE_INFINITY;
let timeoutMs = 0;
let ticks = 0;

/** Runs one synchronous render pass with a deadline (performance.now() ms); `limitMs` is what the message calls the timeout. */
export function runWithDeadline<T>(at: number, limitMs: number, pass: () => T): T {
  const outer = { deadlineAt, timeoutMs };
  deadlineAt = at;
  timeoutMs = limitMs;
  try {
    if (performance.now() > at) throw timeoutError(undefined, undefined);
    return pass();
  } finally {
    ({ deadlineAt, timeoutMs } = outer);
  }
}

/** Counts a tick; every DEFAULTS.ticksPerCheck ticks, throws when the deadline has passed. */
function tick(lineno?: number, colno?: number): void {
  if ((++ticks & (DEFAULTS.ticksPerCheck - 1)) !== 0 || performance.now() <= deadlineAt) return;
  throw timeoutError(lineno, colno);
}

/** The error a render stops with: located at the loop (0-based positions) when there is one. */
function timeoutError(lineno: number | undefined, colno: number | undefined): Error {
  const message = `the render took longer than render.timeout (${timeoutMs / 1000} s) and was stopped here`;
  return lineno === undefined ? new Error(message) : new lib.TemplateError(message, lineno + 1, (colno ?? 0) + 1);
}

/** nunjucks' `range(start, stop, step)`, refusing to build more than DEFAULTS.maxRangeLength numbers. */
export function boundedRange(start: unknown, stop?: unknown, step?: unknown): number[] {
  const [from, to, by] = stop === undefined ? [0, start, 1] : [start, stop, step || 1];
  if (typeof from !== 'number' || typeof to !== 'number' || typeof by !== 'number') throw new Error('range() takes numbers');
  const length = Math.max(0, Math.ceil((to - from) / by));
  if (!Number.isFinite(length) || length > DEFAULTS.maxRangeLength) {
    throw new Error(`range() would produce ${length} numbers; at most ${DEFAULTS.maxRangeLength} are allowed`);
  }
  const numbers = new Array<number>(length);
  for (let i = 0; i < length; i++) numbers[i] = from + i * by;
  return numbers;
}

/** Every loop iteration ticks, at the loop's position. */
function wrapEmitLoopBindings(proto: Record<string, CompilerMethod>): void {
  const emit = proto._emitLoopBindings as (this: Compiler, node: AstNode, ...rest: unknown[]) => void;
  proto._emitLoopBindings = function (this: Compiler, node: AstNode, ...rest: unknown[]): void {
    this._emitLine(`runtime.informantTick(${node.lineno}, ${node.colno});`);
    emit.call(this, node, ...rest);
  } as CompilerMethod;
}

/** Every macro call ticks (the macro's position is where its caller is). */
function wrapMakeMacro(): void {
  const make = runtime.makeMacro;
  runtime.makeMacro = (argNames, kwargNames, func) =>
    make(argNames, kwargNames, function tickingMacro(this: unknown): unknown {
      tick();
      return func.apply(this, arguments as unknown as unknown[]);
    } as Fn);
}

/** Applies the deadline patch; install() calls it once. */
export function installDeadlinePatch(): void {
  runtime.informantTick = tick;
  wrapEmitLoopBindings(compiler.Compiler.prototype);
  wrapMakeMacro();
}
