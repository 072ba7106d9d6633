/**
 * The compiler patch: nunjucks' Compiler emits code that keeps every error's location, and
 * calls methods without a wrapper per call. It reaches every template compiled after
 * install().
 *
 * Stock 3.2.4 keeps a `lineno`/`colno` pair per compiled template function that only
 * function calls update, and passes those 0-based values on unchanged: a failing call is
 * reported one line early, a failing filter with no line or the line of an earlier call,
 * and an error inside a macro imported from another file, or in the includer's code after
 * an `{% include %}`, in the wrong file (upstream nunjucks issues 1429 and 673).
 *
 * With this patch (and error-patch.ts for compile errors) every error thrown while a
 * template compiles or renders is *located*: it carries the file, the 1-based line and
 * column, and the message of the failing expression, read with templateLocation
 * (location.ts). How:
 * - function calls, filters, member lookups and `is` tests store their position in
 *   `lineno`/`colno` before their operands are evaluated and again right before they run,
 *   so a nested expression never leaves its own position behind. The position is that of
 *   the called name (`GetSingle` in `resources.x.GetSingle(...)`), the filter name, the
 *   looked-up member, the test name; `{% include %}`, `{% import %}` and `{% extends %}`
 *   store the tag's position;
 * - every catch site (template and block functions, the callbacks of includes and imports,
 *   a guard around every macro) locates an error that has no location yet at the current
 *   position, in the file it was compiled from; an error that has one keeps it, so the
 *   innermost site wins. nunjucks runs the caller's remaining code inside the callee's
 *   `cb(...)` call, that is inside the callee's try block: a template or block function
 *   that has called `cb` lets errors through to the caller's catch instead of claiming them;
 * - outputting null or undefined (`throwOnUndefined`) names the expression ("ingress.spec.rulez
 *   is undefined") at its start, and calling a non-function names it as written (`x.y.method`);
 * - a method call (`a.b(...)`) compiles to `informantCallMember`, which calls the method on
 *   its object without the bound wrapper stock `memberLookup` allocates for it;
 * - every value printed with `{{ ... }}` (literals aside) goes through
 *   `informantCheckOutput` with its file and position (see output-check.ts).
 *
 * Environments must be created with `dev: true`; without it nunjucks replaces the located
 * error by a plain copy while it formats the message.
 */
import { compiler, lib, nodes, runtime, type AstNode, type Compiler, type CompilerMethod } from './internals.ts';
import { calleeOf, describe, positionCode, startOf } from './expressions.ts';
import { locateError } from './location.ts';
import { checkOutput } from './output-check.ts';

/** Runtime helper: a macro that locates what its body throws before the caller sees it. */
function guardMacro(
  macro: (...args: unknown[]) => unknown,
  locate: (err: unknown) => unknown,
): (...args: unknown[]) => unknown {
  // `arguments`, not a rest array: V8 forwards it to `apply` without allocating (every macro call).
  return function guardedMacro(this: unknown): unknown {
    try {
      return macro.apply(this, arguments as unknown as unknown[]);
    } catch (err) {
      throw locate(err);
    }
  };
}

/**
 * Runtime helper: `obj.key(...args)` as stock nunjucks runs it (memberLookup, then
 * callWrap: the method is read after the arguments are evaluated and called with `obj` as
 * `this`; a missing or non-function member fails as callWrap fails), without the bound
 * wrapper memberLookup allocates for every method it returns (a `{% set _ = xs.push(x) %}`
 * in a loop runs this once per item).
 */
function callMember(obj: unknown, key: PropertyKey, name: string, context: unknown, args: unknown[]): unknown {
  const member = obj === undefined || obj === null ? undefined : (obj as Record<PropertyKey, unknown>)[key];
  if (typeof member === 'function') return (member as (...a: unknown[]) => unknown).apply(obj, args);
  return runtime.callWrap(member, name, context, args);
}

/** Runtime helper: `throwOnUndefined` for output, naming the expression. */
function ensureDefined(value: unknown, expression: string, lineno: number, colno: number): unknown {
  if (value !== null && value !== undefined) return value;
  const what = value === null ? 'null' : 'undefined';
  const message = `${expression} is ${what} (use "| default(...)" for optional values)`;
  throw new lib.TemplateError(message, lineno + 1, colno + 1);
}

/** The helpers the patched compiler's code calls, as `runtime.<name>`. */
const RUNTIME_HELPERS = {
  informantLocateError: locateError,
  informantGuardMacro: guardMacro,
  informantEnsureDefined: ensureDefined,
  informantCallMember: callMember,
  informantCheckOutput: checkOutput,
};

/** Compiler methods replaced outright. */
const overrides: Record<string, CompilerMethod> = {
  compileFunCall(this: Compiler, node: AstNode, frame: unknown): void {
    const at = positionCode(calleeOf(node));
    const name = describe(node.name!) ?? this._getNodeName(node.name!);
    const callee = node.name!;
    if (callee.typename === 'LookupVal') {
      // A method call: informantCallMember reads the method itself, without the bound
      // wrapper memberLookup would allocate.
      this._emit(`(${at}, runtime.informantCallMember((`);
      this._compileExpression(callee.target!, frame);
      this._emit('), ');
      this._compileExpression(callee.val!, frame);
    } else {
      this._emit(`(${at}, runtime.callWrap(`);
      this._compileExpression(callee, frame);
    }
    this._emit(`, ${JSON.stringify(name)}, context, `);
    this._compileAggregate(node.args!, frame, '[', ']');
    // callWrap ignores the extra arguments: they only run after the call's operands.
    this._emit(`, ${at}))`);
  },

  compileFilter(this: Compiler, node: AstNode, frame: unknown): void {
    this.assertType(node.name!, nodes.Symbol);
    const at = positionCode(node.name!);
    this._emit(`(${at}, env.getFilter(${JSON.stringify(node.name!.value)})).apply(context, `);
    this._compileAggregate(node.args!, frame, '[', ']');
    this._emit(`, ${at})`);
  },

  compileLookupVal(this: Compiler, node: AstNode, frame: unknown): void {
    const at = positionCode(startOf(node.val!));
    this._emit('runtime.memberLookup((');
    this._compileExpression(node.target!, frame);
    this._emit('),');
    this._compileExpression(node.val!, frame);
    this._emit(`, ${at})`);
  },

  compileIs(this: Compiler, node: AstNode, frame: unknown): void {
    const right = node.right!;
    const test = right.name ? right.name.value : right.value;
    const at = positionCode(right.name ?? right);
    this._emit(`(${at}, env.getTest(${JSON.stringify(test)})).apply(context, [`);
    this.compile(node.left!, frame);
    if (right.args) {
      this._emit(',');
      this.compile(right.args, frame);
    }
    this._emit(`], ${at}) === true`);
  },

  compileOutput(this: Compiler, node: AstNode, frame: unknown): void {
    for (const child of node.children ?? []) {
      if (child.typename === 'TemplateData') {
        if (child.value) {
          this._emit(`${this.buffer} += `);
          this.compileLiteral(child, frame);
          this._emitLine(';');
        }
        continue;
      }
      const start = startOf(child);
      // A literal is the template author's text, like TemplateData: not checked.
      const checked = child.typename !== 'Literal';
      this._emit(`${this.buffer} += runtime.suppressValue(`);
      if (checked) this._emit('runtime.informantCheckOutput(');
      if (this.throwOnUndefined) this._emit('runtime.informantEnsureDefined(');
      this.compile(child, frame);
      if (this.throwOnUndefined) {
        const text = JSON.stringify(describe(child) ?? 'the expression');
        this._emit(`, ${text}, ${start.lineno}, ${start.colno})`);
      }
      if (checked) this._emit(`, ${this._templateName()}, ${start.lineno + 1}, ${start.colno + 1})`);
      this._emit(', env.opts.autoescape);\n');
    }
  },

  _emitFuncEnd(this: Compiler, noReturn: boolean): void {
    if (!noReturn) this._emitLine(`cb(null, ${this.buffer});`);
    this._closeScopeLevels();
    this._emitLine('} catch (e) {');
    // Thrown by the code `cb` continues with (the includer's, the importer's): not ours.
    this._emitLine('  if (informantSettled) throw e;');
    this._emitLine(`  cb(runtime.informantLocateError(e, lineno, colno, ${this._templateName()}));`);
    this._emitLine('}');
    this._emitLine('}');
    (this as { buffer: string | null }).buffer = null;
  },

  _makeCallback(this: Compiler, res?: string): string {
    const err = this._tmpid();
    const locate = `runtime.informantLocateError(${err}, lineno, colno, ${this._templateName()})`;
    return `function(${err}${res ? `,${res}` : ''}) {\nif(${err}) { cb(${locate}); return; }`;
  },
};

/**
 * Template and block functions report through `cb`, and the caller's remaining code runs
 * inside that call; `informantSettled` tells their catch (see _emitFuncEnd) that an error
 * thrown from there is the caller's.
 */
function wrapEmitFuncBegin(proto: Record<string, CompilerMethod>): void {
  const emitFuncBegin = proto._emitFuncBegin as (this: Compiler, node: AstNode, name: string) => void;
  proto._emitFuncBegin = function (this: Compiler, node: AstNode, name: string): void {
    emitFuncBegin.call(this, node, name);
    this._emitLine('var informantSettled = false, informantCallback = cb;');
    this._emitLine('cb = function (err, res) {');
    this._emitLine('  informantSettled = true;');
    this._emitLine('  return informantCallback(err, res);');
    this._emitLine('};');
  } as CompilerMethod;
}

/** Every macro is guarded: what its body throws is located in the macro's file. */
function wrapCompileMacro(proto: Record<string, CompilerMethod>): void {
  const compileMacro = proto._compileMacro as (this: Compiler, node: AstNode, frame?: unknown) => string;
  proto._compileMacro = function (this: Compiler, node: AstNode, frame?: unknown): string {
    const funcId = compileMacro.call(this, node, frame);
    const file = this._templateName();
    const locate = `function (e) { return runtime.informantLocateError(e, lineno, colno, ${file}); }`;
    this._emitLine(`${funcId} = runtime.informantGuardMacro(${funcId}, ${locate});`);
    return funcId;
  } as CompilerMethod;
}

/** `{% include %}`, `{% import %}` and `{% extends %}` store the tag's position first. */
function wrapCompileGetTemplate(proto: Record<string, CompilerMethod>): void {
  type GetTemplate = (this: Compiler, node: AstNode, ...rest: unknown[]) => string;
  const getTemplate = proto._compileGetTemplate as GetTemplate;
  proto._compileGetTemplate = function (this: Compiler, node: AstNode, ...rest: unknown[]): string {
    this._emitLine(`${positionCode(node)};`);
    return getTemplate.call(this, node, ...rest);
  } as CompilerMethod;
}

/** Applies the compiler patch and adds the runtime helpers its code calls; install() calls it once. */
export function installCompilerPatch(): void {
  Object.assign(runtime, RUNTIME_HELPERS);
  const proto = compiler.Compiler.prototype;
  wrapEmitFuncBegin(proto);
  wrapCompileMacro(proto);
  wrapCompileGetTemplate(proto);
  Object.assign(proto, overrides);
}
