/**
 * nunjucks' internals, typed: the one module of informant that requires `nunjucks/src/*`.
 * The patches of this folder replace parts of them at runtime (node_modules is never
 * edited: CI installs a clean copy), so package.json pins nunjucks to exactly
 * {@link SUPPORTED_VERSION}. Loading this module checks the installed version first and
 * throws, naming both versions, when it differs; it changes nothing in nunjucks (install.ts
 * applies the patches).
 */
import { createRequire } from 'node:module';
import type { Environment, Template } from 'nunjucks';

const require = createRequire(import.meta.url);

/** The only nunjucks version whose internals this folder knows. */
export const SUPPORTED_VERSION = '3.2.4';

/** Throws when `installed` is not the nunjucks version this folder patches. */
export function assertSupportedVersion(installed: string): void {
  if (installed === SUPPORTED_VERSION) return;
  throw new Error(
    `src/templates/nunjucks patches nunjucks ${SUPPORTED_VERSION} internals, but nunjucks ${installed} is installed (package.json pins ${SUPPORTED_VERSION})`,
  );
}

assertSupportedVersion((require('nunjucks/package.json') as { version: string }).version);

/** The view of nunjucks' AST nodes this folder reads (each node type has some of the fields). */
export interface AstNode {
  readonly typename: string;
  /** 0-based. */
  readonly lineno: number;
  /** 0-based. */
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
  /** The name of the file an Include, Import, FromImport or Extends loads. */
  readonly template?: AstNode;
  readonly ignoreMissing?: boolean;
  /** Every node of `type` below this one, in source order. */
  findAll(type: AstNodeType): AstNode[];
}

/** A node class of nunjucks/src/nodes (`nodes.Symbol`, `nodes.Include`, ...). */
export type AstNodeType = new (...args: never[]) => AstNode;

/** The parts of nunjucks' `Compiler` (an internal class) the patches replace or use. */
export interface Compiler {
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

/** A method of `Compiler.prototype`, as the patches read and replace it. */
export type CompilerMethod = (this: Compiler, ...args: never[]) => unknown;

/** The parts of nunjucks' `Parser` (internal) that are wrapped or used. */
export interface Parser {
  /** The lexer, holding the template source. */
  tokens: { str: string };
  peekToken(): unknown;
  error(this: Parser, msg: string, lineno?: number, colno?: number): Error;
}

/** nunjucks' TemplateError instances (an internal constructor; fields set after creation). */
export interface TemplateError extends Error {
  lineno?: number;
  colno?: number;
}

/** A function as compiled templates call it. */
export type Fn = (this: unknown, ...args: unknown[]) => unknown;

/** The part of nunjucks' `Frame` (a template's variable scope) the Frame.set patch touches. */
export interface Frame {
  variables: Record<string, unknown>;
  resolve(name: string, forWrite: boolean): Frame | undefined;
  set(name: string, val: unknown, resolveUp?: boolean): void;
}

/** nunjucks/src/runtime: the helpers compiled templates call as `runtime.<name>`. */
export interface Runtime {
  memberLookup: (obj: unknown, val: PropertyKey) => unknown;
  makeMacro: (argNames: readonly string[], kwargNames: readonly string[], func: Fn) => Fn;
  callWrap: (obj: unknown, name: string, context: unknown, args: unknown[]) => unknown;
  Frame: { prototype: Frame };
  /** What `| safe`, macros and `caller()` return: a String object that autoescaping leaves alone. */
  SafeString: new (value: string) => object;
  /** informant's helpers, added by the compiler patch. */
  [helper: string]: unknown;
}

/** The fields of nunjucks' Environment that are not in its published types. */
export interface EnvironmentInternals {
  extensionsList: unknown[];
  opts: unknown;
  filters: Record<string, Fn>;
  getTemplate(name: string, eager: boolean, parentName: string, ignoreMissing: boolean): Template;
}

/** The fields of nunjucks' Template that are not in its published types. */
export interface TemplateInternals {
  /** The file it was read from; undefined for a template built from a string. */
  path?: string;
  /** Its source text. */
  tmplStr?: string;
}

/** nunjucks/src/compiler. */
export const compiler = require('nunjucks/src/compiler') as {
  Compiler: { prototype: Record<string, CompilerMethod> };
};

/** nunjucks/src/parser. */
export const parser = require('nunjucks/src/parser') as {
  Parser: { prototype: Parser };
  parse(src: string, extensions: unknown, opts: unknown): AstNode;
};

/** nunjucks/src/nodes: the AST node classes, by type name. */
export const nodes = require('nunjucks/src/nodes') as Record<string, AstNodeType>;

/** nunjucks/src/runtime. */
export const runtime = require('nunjucks/src/runtime') as Runtime;

/** nunjucks/src/lib. */
export const lib = require('nunjucks/src/lib') as {
  TemplateError: new (message: unknown, lineno?: number, colno?: number) => TemplateError;
  _prettifyError: (path: string, withInternals: boolean, err: unknown) => unknown;
};

/** `env`'s fields that nunjucks' types leave out. */
export function environmentInternals(env: Environment): EnvironmentInternals {
  return env as unknown as EnvironmentInternals;
}

/**
 * The filters registered in `env`, by name (nunjucks' built-ins and those added with
 * addFilter): nunjucks' own object, so a filter replaced in it is the one templates call.
 */
export function filtersOf(env: Environment): Record<string, Fn> {
  return environmentInternals(env).filters;
}

/** `template`'s fields that nunjucks' types leave out. */
export function templateInternals(template: Template): TemplateInternals {
  return template as unknown as TemplateInternals;
}

/**
 * Whether `value` is the object nunjucks passes for `name=value` arguments (stock
 * `isKeywordArgs`, which nunjucks does not export).
 */
export function isKeywordArgs(value: unknown): boolean {
  return Boolean(value) && Object.prototype.hasOwnProperty.call(value, '__keywords');
}
