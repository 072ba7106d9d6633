/**
 * The `{% memo %}` tag: a block whose output (and the variables it exports) can be reused
 * from an earlier render while what it read is unchanged. This module owns the tag's
 * syntax, its compiled code and the scope its body runs in; whether a block's result is
 * reused is decided by a {@link MemoRunner} (templates/memo/), set around each render pass.
 *
 *     {% memo ing, settings %} ... {% endmemo %}
 *     {% memo ing export routes, hosts %} ... {% set routes = ... %} ... {% endmemo %}
 *
 * - The names after `memo` are the block's keys: the only variables of the template the
 *   body can read. The body runs in a scope of its own holding just the keys, the watched
 *   resources (`resources`, whose reads are recorded), `vars`, informant's functions, and
 *   the macros the file imports without context. Any other name reads as undefined at run
 *   time (and is refused at compile time, memo-check.ts), so a cached result can depend on
 *   nothing but its keys and what it read from `resources`.
 * - `{% set %}` inside the block assigns variables of the block. `export a, b` hands the
 *   values `a` and `b` have at `{% endmemo %}` to the enclosing scope, as a `{% set %}`
 *   after the block would; exported values are frozen (deeply), because a cached value is
 *   shared by every render that reuses it.
 */
import { deepFreeze } from '../../store/freeze.ts';
import { compiler, nodes, runtime, type AstNode, type Compiler, type CompilerMethod } from './internals.ts';
import { checkMemoBlock, type MemoNode } from './memo-check.ts';

/** A memo block as its runner sees it. */
export interface MemoBlock {
  /** "file:line:col" of the tag (1-based): unique per compiled template. */
  readonly id: string;
  /** The names of its keys, in order (the body's scope holds them). */
  readonly keyNames: readonly string[];
}

/** What a block produced: its text, and the values of its exports, in `exportNames` order. */
export interface MemoResult {
  readonly output: string;
  readonly values: readonly unknown[];
}

/**
 * Runs one memo block: calls `compute(resources)` (the body, reading `resources` as the
 * watched resources) and returns its result passed through {@link freezeResult}, or
 * reuses such a result for the same `keys`. `outer` is the `resources` the template
 * renders with.
 */
export type MemoRunner = (block: MemoBlock, keys: readonly unknown[], outer: unknown, compute: (resources: unknown) => MemoResult) => MemoResult;

/**
 * A block's result as the template gets it: its exports frozen deeply, whether or not the
 * result is cached (a cached value is shared by every render that reuses it, and a
 * template must behave the same with memo off).
 */
export function freezeResult(result: MemoResult): MemoResult {
  return Object.freeze({ output: result.output, values: Object.freeze(result.values.map((value) => deepFreeze(value))) });
}

const computeAlways: MemoRunner = (_block, _keys, outer, compute) => freezeResult(compute(outer));

let current: MemoRunner = computeAlways;

/**
 * Makes `runner` decide about memo blocks (undefined: compute every block) and returns the
 * one it replaces. Render passes are synchronous: set it around one pass, restore it after.
 */
export function setMemoRunner(runner: MemoRunner | undefined): MemoRunner {
  const previous = current;
  current = runner ?? computeAlways;
  return previous;
}

/** The names a memo body may read besides its keys and helpers: the render's own. */
const RENDER_NAMES: ReadonlySet<string> = new Set(['resources', 'vars']);

interface NunjucksContext {
  env: { globals: Record<string, unknown> };
  ctx: Record<string, unknown>;
  lookup(name: string): unknown;
}

/**
 * The context a memo body runs in: the template's Environment, but a name looked up from
 * it is only `resources` (given), `vars`, or a global function; the template's own
 * variables are not visible. A plain object of its own (making the template's context the
 * prototype of another object would slow every lookup in it).
 */
class BlockContext implements NunjucksContext {
  readonly env: NunjucksContext['env'];
  readonly ctx: Record<string, unknown>;

  constructor(outer: NunjucksContext, resources: unknown) {
    this.env = outer.env;
    this.ctx = { resources, vars: outer.ctx['vars'] };
  }

  lookup(name: string): unknown {
    if (RENDER_NAMES.has(name)) return this.ctx[name];
    const globals = this.env.globals;
    return Object.prototype.hasOwnProperty.call(globals, name) ? globals[name] : undefined;
  }

  getVariables(): Record<string, unknown> {
    return this.ctx;
  }

  /** Never called: a block's frame is not top-level, and include, import, extends and block are refused in it. */
  setVariable(): void {}

  addExport(): void {}
}

/** A frame holding `names` = `values` and `more` = `moreValues` (the body's scope). */
function blockFrame(names: readonly string[], values: readonly unknown[], more: readonly string[], moreValues: readonly unknown[]): unknown {
  const frame = new (runtime.Frame as unknown as new () => { set(name: string, value: unknown): void })();
  for (let i = 0; i < names.length; i++) frame.set(names[i]!, values[i]);
  for (let i = 0; i < more.length; i++) frame.set(more[i]!, moreValues[i]);
  return frame;
}

type Body = (frame: unknown, context: NunjucksContext) => MemoResult;

/** Runtime helper (`runtime.informantMemo`): runs a memo block through the current runner. */
function runMemo(
  context: NunjucksContext,
  block: MemoBlock,
  keys: unknown[],
  helperNames: readonly string[],
  helpers: unknown[],
  body: Body,
): MemoResult {
  const compute = (resources: unknown): MemoResult => body(blockFrame(block.keyNames, keys, helperNames, helpers), new BlockContext(context, resources));
  return current(block, keys, context.lookup('resources'), compute);
}

/** What compileMemo uses of the Compiler besides the shared interface. */
interface MemoCompiler {
  informantRoot?: AstNode;
  /** Throws a located compile error (0-based positions). */
  fail(message: string, lineno: number, colno: number): never;
}

/** The compiler method of the Memo node. */
function compileMemo(this: Compiler & MemoCompiler, node: MemoNode, frame: unknown): void {
  const { helpers } = checkMemoBlock(node, this.informantRoot, (message, at) => this.fail(message, at.lineno, at.colno));
  const file = JSON.parse(this._templateName()) as string;
  const block: MemoBlock = { id: `${file}:${node.lineno + 1}:${node.colno + 1}`, keyNames: node.keys.map((key) => String(key.value)) };
  const result = this._tmpid();
  // The block's description is a literal: one object per call, no string building.
  this._emit(`var ${result} = runtime.informantMemo(context, ${JSON.stringify(block)}, [`);
  node.keys.forEach((key, i) => {
    if (i > 0) this._emit(', ');
    this.compile(key, frame);
  });
  this._emit(`], ${JSON.stringify(helpers)}, [`);
  helpers.forEach((name, i) => {
    if (i > 0) this._emit(', ');
    this.compile(new (nodes.Symbol as unknown as new (l: number, c: number, v: string) => AstNode)(node.lineno, node.colno, name), frame);
  });
  this._emitLine('], function (frame, context) {');
  compileBody(this, node);
  this._emitLine('});');
  this._emitLine(`${this.buffer} += ${result}.output;`);
  compileExports(this, node, frame, result);
}

/** The body as a function of its own frame and context, returning its text and exports. */
function compileBody(compilerInstance: Compiler, node: MemoNode): void {
  const self = compilerInstance as Compiler & { _pushBuffer(): string; _popBuffer(): void; _withScopedSyntax(fn: () => void): void };
  const bodyFrame = new (runtime.Frame as unknown as new () => unknown)();
  const buffer = self._pushBuffer();
  self._emitLine('');
  self._withScopedSyntax(() => self.compile(node.body, bodyFrame));
  const values = node.exports.map((name) => `frame.lookup(${JSON.stringify(name.value)})`);
  self._emitLine(`return { output: ${buffer}, values: [${values.join(', ')}] };`);
  self._popBuffer();
}

/** `{% set name = value %}` for each export, as nunjucks compiles a set. */
function compileExports(self: Compiler, node: MemoNode, frame: unknown, result: string): void {
  node.exports.forEach((symbol, i) => {
    const name = JSON.stringify(symbol.value);
    const value = `${result}.values[${i}]`;
    const id = (frame as { lookup(name: string): string | undefined }).lookup(String(symbol.value));
    if (id) self._emitLine(`${id} = ${value};`);
    self._emitLine(`frame.set(${name}, ${value}, true);`);
    self._emitLine(`if(frame.topLevel) { context.setVariable(${name}, ${value}); }`);
    if (!String(symbol.value).startsWith('_')) self._emitLine(`if(frame.topLevel) { context.addExport(${name}, ${value}); }`);
  });
}

/** The Memo AST node: `keys` and `exports` are Symbol nodes, `body` a NodeList. */
const MemoNodeType = (nodes.Node as unknown as { extend(name: string, props: object): new (...args: unknown[]) => MemoNode }).extend('Memo', {
  fields: ['keys', 'exports', 'body'],
});

interface ParserApi {
  nextToken(): { value: string; lineno: number; colno: number };
  peekToken(): { type: string; value: string } | null;
  parsePrimary(noPostfix?: boolean): AstNode;
  skip(type: string): boolean;
  skipSymbol(name: string): boolean;
  advanceAfterBlockEnd(name?: string): void;
  parseUntilBlocks(...names: string[]): AstNode;
  fail(message: string, lineno?: number, colno?: number): never;
}

/** A list of plain names (`a, b, c`), up to the block end or `stopAt`. */
function parseNames(parser: ParserApi, what: string, stopAt?: string): AstNode[] {
  const names: AstNode[] = [];
  for (;;) {
    const next = parser.peekToken();
    if (next === null || next.type === 'block-end' || (stopAt !== undefined && next.type === 'symbol' && next.value === stopAt)) return names;
    if (names.length > 0 && !parser.skip('comma')) parser.fail(`memo: expected "," between ${what} (${what} are variable names: {% set k = ... %} first, then {% memo k %})`);
    const name = parser.parsePrimary(true);
    if (name.typename !== 'Symbol') parser.fail(`memo: ${what} are variable names (a key is a name: {% set k = ... %} first, then {% memo k %})`, name.lineno, name.colno);
    names.push(name);
  }
}

/**
 * The nunjucks extension that parses `{% memo keys [export names] %}...{% endmemo %}`;
 * one per Environment (it hands the compiler the Environment's global names).
 */
export function memoExtension(globals: () => readonly string[]): { tags: string[]; parse(parser: never): AstNode } {
  return {
    tags: ['memo'],
    parse(parser: never): AstNode {
      return parseMemo(parser as ParserApi, globals);
    },
  };
}

function parseMemo(parser: ParserApi, globals: () => readonly string[]): AstNode {
  const tag = parser.nextToken();
  const keys = parseNames(parser, 'keys', 'export');
  const exports = parser.skipSymbol('export') ? parseNames(parser, 'exports') : [];
  parser.advanceAfterBlockEnd(tag.value);
  const body = parser.parseUntilBlocks('endmemo');
  parser.advanceAfterBlockEnd();
  const node = new MemoNodeType(tag.lineno, tag.colno, keys, exports, body);
  node.globals = globals();
  return node;
}

/** Keeps the Root node where compileMemo can read it (the imports of the file). */
function wrapCompileRoot(proto: Record<string, CompilerMethod>): void {
  const compileRoot = proto.compileRoot as (this: Compiler, node: AstNode, frame: unknown) => void;
  proto.compileRoot = function (this: Compiler & { informantRoot?: AstNode }, node: AstNode, frame: unknown): void {
    this.informantRoot = node;
    compileRoot.call(this, node, frame);
  } as CompilerMethod;
}

/** Adds the Memo node's compiler method and runtime helper; install() calls it once. */
export function installMemoTag(): void {
  const proto = compiler.Compiler.prototype;
  wrapCompileRoot(proto);
  proto.compileMemo = compileMemo as unknown as CompilerMethod;
  Object.assign(runtime, { informantMemo: runMemo });
}
