/**
 * The names a template's source uses that must exist when it renders, read from nunjucks'
 * AST (as the environment parses it): every filter applied, and every watched resource
 * named literally (`resources.x`, `resources["x"]`). What check-config compares with the
 * filters registered and the resources watched, so a typo is an error at check time.
 */
import type { Environment } from 'nunjucks';
import { environmentInternals, nodes, parser, type AstNode } from './internals.ts';

/** A name used at a 0-based position. */
export interface UsedName {
  readonly name: string;
  readonly lineno: number;
  readonly colno: number;
}

/** The filters and the literally named resources of `source`, in source order. */
export function namesUsed(env: Environment, source: string): { filters: UsedName[]; resources: UsedName[] } {
  const { extensionsList, opts } = environmentInternals(env);
  const root = parser.parse(source, extensionsList, opts);
  const filters = [nodes.Filter!, nodes.FilterAsync!].flatMap((type) => root.findAll(type)).map((node) => {
    const name = node.name!;
    return { name: String(name.value), lineno: name.lineno, colno: name.colno };
  });
  const resources = root.findAll(nodes.LookupVal!).flatMap((node) => resourceNamed(node) ?? []);
  return { filters: bySource(filters), resources: bySource(resources) };
}

/** The resource `node` names when it is `resources.<literal>`. */
function resourceNamed(node: AstNode): UsedName | undefined {
  const target = node.target;
  const key = node.val;
  if (target?.typename !== 'Symbol' || target.value !== 'resources') return undefined;
  if (key?.typename !== 'Literal' || typeof key.value !== 'string') return undefined;
  return { name: key.value, lineno: key.lineno, colno: key.colno };
}

function bySource(names: UsedName[]): UsedName[] {
  return names.sort((a, b) => a.lineno - b.lineno || a.colno - b.colno);
}
