/**
 * Reading template expressions from nunjucks' AST, for the compiler patch: where an
 * expression starts, where the name a call invokes is, and its source-like text for
 * messages.
 */
import type { AstNode } from './internals.ts';

/** The 0-based position where an expression starts (nunjucks puts some nodes elsewhere). */
export function startOf(node: AstNode): AstNode {
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
export function calleeOf(node: AstNode): AstNode {
  const name = node.name!;
  return name.typename === 'LookupVal' ? startOf(name.val!) : startOf(name);
}

/** Compiled code that stores `at`'s position in the template function's `lineno`/`colno`. */
export function positionCode(at: AstNode): string {
  return `lineno = ${at.lineno}, colno = ${at.colno}`;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Source-like text of an expression for messages; undefined when it has no short form. */
export function describe(node: AstNode): string | undefined {
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

