/**
 * Precise error locations for nunjucks 3.2.4, patched in at runtime (node_modules is never
 * edited: CI installs a clean copy). package.json pins nunjucks to exactly 3.2.4 because
 * this module replaces internals; importing it with another version throws.
 *
 * Stock 3.2.4 keeps a `lineno`/`colno` pair per compiled template function that only
 * function calls update, and passes those 0-based values on unchanged: a failing call is
 * reported one line early, a failing filter with no line or the line of an earlier call,
 * and an error inside a macro imported from another file, or in the includer's code after
 * an `{% include %}`, in the wrong file (upstream nunjucks issues 1429 and 673).
 *
 * After this patch every error thrown while a template compiles or renders is *located*:
 * it carries the file, the 1-based line and column, and the message of the failing
 * expression, read with {@link templateLocation}. How:
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
 * - a syntax error at the end of the input (an unclosed tag) is reported at the end of the
 *   file instead of without a position; compile errors keep their original message.
 *
 * Environments must be created with `dev: true`; without it nunjucks replaces the located
 * error by a plain copy while it formats the message.
 *
 * The patch is applied once, when this module is first imported; templates compiled before
 * that keep the stock behaviour.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Where an error happened while rendering a template. */
export interface TemplateLocation {
  /** The template file (absolute path, or the name given to an inline template). */
  readonly file: string;
  /** 1-based line; undefined when nunjucks could not tell. */
  readonly line: number | undefined;
  /** 1-based column; undefined when nunjucks could not tell. */
  readonly col: number | undefined;
  /** The failing expression's own message, without nunjucks' decorations. */
  readonly message: string;
  /** The error the failing expression threw (the located error itself when it was nunjucks' own). */
  readonly cause: unknown;
}

/** The minimal view of nunjucks' AST nodes the patch needs. */
interface AstNode {
  readonly typename: string;
  readonly lineno: number;
  readonly colno: number;
  readonly value?: unknown;
  readonly name?: AstNode;
  readonly target?: AstNode;
  readonly val?: AstNode;
  readonly left?: AstNode;
  readonly right?: AstNode;
  readonly expr?: AstNode;
  readonly body?: AstNode;
  readonly args?: AstNode;
  readonly children?: AstNode[];
}

/** The parts of nunjucks' `Compiler` (an internal class) that are replaced or used. */
interface Compiler {
  buffer: string;
  throwOnUndefined: boolean;
  _emit(code: string): void;
  _emitLine(code: string): void;
  _tmpid(): string;
  _templateName(): string;
  _closeScopeLevels(): void;
  _compileExpression(node: AstNode, frame: unknown): void;
  _compileAggregate(node: AstNode, frame: unknown, start?: string, end?: string): void;
  _getNodeName(node: AstNode): string;
  assertType(node: AstNode, ...types: unknown[]): void;
  compile(node: AstNode, frame: unknown): void;
  compileLiteral(node: AstNode, frame: unknown): void;
}

type CompilerMethod = (this: Compiler, ...args: never[]) => unknown;

/** The parts of nunjucks' `Parser` (internal) that are wrapped or used. */
interface ParserInternals {
  /** The lexer, holding the template source. */
  tokens: { str: string };
  peekToken(): unknown;
  error(this: ParserInternals, msg: string, lineno?: number, colno?: number): Error;
}

/** nunjucks' TemplateError instances (an internal constructor; fields set after creation). */
interface NunjucksTemplateError extends Error {
  lineno?: number;
  colno?: number;
}

const compilerModule = require('nunjucks/src/compiler') as {
  Compiler: { prototype: Record<string, CompilerMethod> };
};
const parserModule = require('nunjucks/src/parser') as { Parser: { prototype: ParserInternals } };
const nodes = require('nunjucks/src/nodes') as Record<string, new (...args: never[]) => AstNode>;
const runtime = require('nunjucks/src/runtime') as Record<string, unknown>;
const lib = require('nunjucks/src/lib') as {
  TemplateError: new (message: unknown, lineno?: number, colno?: number) => NunjucksTemplateError;
  _prettifyError: (path: string, withInternals: boolean, err: unknown) => unknown;
};

const LOCATION = Symbol.for('informant.templateLocation');
const PATCHED = Symbol.for('informant.nunjucksPatched');
/** The only nunjucks version whose internals this module knows. */
const PATCHED_VERSION = '3.2.4';

/** The location of a render or compile error, when it has one. */
export function templateLocation(err: unknown): TemplateLocation | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  return (err as { [LOCATION]?: TemplateLocation })[LOCATION];
}

function setLocation(err: object, location: TemplateLocation): void {
  Object.defineProperty(err, LOCATION, { value: location, enumerable: false, configurable: true });
}

function isTemplateError(err: unknown): err is NunjucksTemplateError {
  return err instanceof lib.TemplateError;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Returns `err` located in `file` at the 0-based `lineno`/`colno` unless it
 * already has a location (an inner site located it first, or nunjucks itself gave it a line).
 * Compiled templates call it (as `runtime.informantLocateError`) at every catch site.
 */
export function locateError(err: unknown, lineno: number, colno: number, file: string): unknown {
  if (templateLocation(err) !== undefined) return err;
  if (isTemplateError(err) && err.lineno) {
    const col = err.colno || undefined;
    setLocation(err, { file, line: err.lineno, col, message: err.message, cause: err });
    return err;
  }
  const located = new lib.TemplateError(err, lineno + 1, colno + 1);
  setLocation(located, { file, line: lineno + 1, col: colno + 1, message: messageOf(err), cause: err });
  return located;
}

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
  return (runtime.callWrap as (...a: unknown[]) => unknown)(member, name, context, args);
}

/** Runtime helper: `throwOnUndefined` for output, naming the expression. */
function ensureDefined(value: unknown, expression: string, lineno: number, colno: number): unknown {
  if (value !== null && value !== undefined) return value;
  const what = value === null ? 'null' : 'undefined';
  const message = `${expression} is ${what} (use "| default(...)" for optional values)`;
  throw new lib.TemplateError(message, lineno + 1, colno + 1);
}

/**
 * Wraps nunjucks' message formatter, which runs once per template file an error passes
 * through, innermost first, and rewrites the message: an error nothing located yet (a
 * compile error) is claimed for that file, with its original message and any line and
 * column nunjucks gave it.
 */
function prettifyError(original: typeof lib._prettifyError): typeof lib._prettifyError {
  return function prettify(path, withInternals, err) {
    let location = templateLocation(err);
    if (location === undefined && err !== null && typeof err === 'object') {
      const { lineno, colno } = err as NunjucksTemplateError;
      const line = lineno || undefined;
      location = { file: path, line, col: line && (colno || undefined), message: messageOf(err), cause: err };
      setLocation(err, location);
    }
    const pretty = original(path, withInternals, err);
    // nunjucks wraps errors that are not its own in a new TemplateError.
    if (location !== undefined && pretty !== err && pretty !== null && typeof pretty === 'object') {
      setLocation(pretty, location);
    }
    return pretty;
  };
}

/** Wraps the parser's error factory: an error at the end of the input gets the end position. */
function parserError(original: ParserInternals['error']): ParserInternals['error'] {
  return function error(this: ParserInternals, msg, lineno, colno) {
    if ((lineno === undefined || colno === undefined) && !this.peekToken()) {
      const lines = this.tokens.str.split('\n');
      return original.call(this, msg, lines.length - 1, lines.at(-1)!.length);
    }
    return original.call(this, msg, lineno, colno);
  };
}

// ---- positions ----------------------------------------------------------------------

/** The 0-based position where an expression starts (nunjucks puts some nodes elsewhere). */
function startOf(node: AstNode): AstNode {
  switch (node.typename) {
    case 'LookupVal':
      return startOf(node.target!);
    case 'FunCall':
      return startOf(node.name!);
    case 'Filter':
      return startOf(node.args!.children![0]!);
    case 'Compare':
      return startOf(node.expr!);
    case 'InlineIf':
      return startOf(node.body!);
    default:
      return node.left ? startOf(node.left) : node;
  }
}

/** The position of the name a call invokes: `GetSingle` in `resources.x.GetSingle()`. */
function calleeOf(node: AstNode): AstNode {
  const name = node.name!;
  return name.typename === 'LookupVal' ? startOf(name.val!) : startOf(name);
}

function positionCode(at: AstNode): string {
  return `lineno = ${at.lineno}, colno = ${at.colno}`;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Source-like text of an expression for messages; undefined when it has no short form. */
function describe(node: AstNode): string | undefined {
  switch (node.typename) {
    case 'Symbol':
      return String(node.value);
    case 'Literal':
      return typeof node.value === 'string' ? JSON.stringify(node.value) : String(node.value);
    case 'LookupVal': {
      const target = describe(node.target!);
      const key = node.val!;
      if (key.typename === 'Literal' && typeof key.value === 'string' && IDENTIFIER.test(key.value)) {
        return target && `${target}.${key.value}`;
      }
      const inner = describe(key);
      return target && inner && `${target}[${inner}]`;
    }
    case 'FunCall': {
      const args = (node.args!.children ?? []).map(describe);
      const callee = describe(node.name!);
      return callee && !args.includes(undefined) ? `${callee}(${args.join(', ')})` : undefined;
    }
    case 'Filter': {
      const [value, ...rest] = (node.args!.children ?? []).map(describe);
      const args = rest.length > 0 ? `(${rest.join(', ')})` : '';
      return value && !rest.includes(undefined) ? `${value} | ${String(node.name!.value)}${args}` : undefined;
    }
    default:
      return undefined;
  }
}

// ---- compiler overrides -------------------------------------------------------------

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
      this._emit(`${this.buffer} += runtime.suppressValue(`);
      if (this.throwOnUndefined) this._emit('runtime.informantEnsureDefined(');
      this.compile(child, frame);
      if (this.throwOnUndefined) {
        const start = startOf(child);
        const text = JSON.stringify(describe(child) ?? 'the expression');
        this._emit(`, ${text}, ${start.lineno}, ${start.colno})`);
      }
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

/** Overrides that keep the stock method and add code around it. */
function wrapStockMethods(proto: Record<string, CompilerMethod>): void {
  // Template and block functions report through `cb`, and the caller's remaining code runs
  // inside that call; `informantSettled` tells their catch (see _emitFuncEnd) that an error
  // thrown from there is the caller's.
  const emitFuncBegin = proto._emitFuncBegin as (this: Compiler, node: AstNode, name: string) => void;
  proto._emitFuncBegin = function (this: Compiler, node: AstNode, name: string): void {
    emitFuncBegin.call(this, node, name);
    this._emitLine('var informantSettled = false, informantCallback = cb;');
    this._emitLine('cb = function (err, res) {');
    this._emitLine('  informantSettled = true;');
    this._emitLine('  return informantCallback(err, res);');
    this._emitLine('};');
  } as CompilerMethod;

  const compileMacro = proto._compileMacro as (this: Compiler, node: AstNode, frame?: unknown) => string;
  proto._compileMacro = function (this: Compiler, node: AstNode, frame?: unknown): string {
    const funcId = compileMacro.call(this, node, frame);
    const file = this._templateName();
    const locate = `function (e) { return runtime.informantLocateError(e, lineno, colno, ${file}); }`;
    this._emitLine(`${funcId} = runtime.informantGuardMacro(${funcId}, ${locate});`);
    return funcId;
  } as CompilerMethod;

  type GetTemplate = (this: Compiler, node: AstNode, ...rest: unknown[]) => string;
  const getTemplate = proto._compileGetTemplate as GetTemplate;
  proto._compileGetTemplate = function (this: Compiler, node: AstNode, ...rest: unknown[]): string {
    this._emitLine(`${positionCode(node)};`);
    return getTemplate.call(this, node, ...rest);
  } as CompilerMethod;
}

function applyPatch(): void {
  const proto = compilerModule.Compiler.prototype;
  if ((proto as { [PATCHED]?: boolean })[PATCHED]) return;
  const { version } = require('nunjucks/package.json') as { version: string };
  if (version !== PATCHED_VERSION) {
    throw new Error(
      `nunjucks-patch.ts patches nunjucks ${PATCHED_VERSION} internals, but nunjucks ${version} is installed`,
    );
  }
  Object.assign(runtime, {
    informantLocateError: locateError,
    informantGuardMacro: guardMacro,
    informantEnsureDefined: ensureDefined,
    informantCallMember: callMember,
  });
  lib._prettifyError = prettifyError(lib._prettifyError);
  parserModule.Parser.prototype.error = parserError(parserModule.Parser.prototype.error);
  wrapStockMethods(proto);
  Object.assign(proto, overrides);
  Object.defineProperty(proto, PATCHED, { value: true });
}

applyPatch();
