/**
 * The compile-time rules of `{% memo %}` blocks (see memo-tag.ts): what a block may read
 * and do, so that reusing its result is never wrong. A block that breaks one is refused
 * when the template compiles, with the file, line and column of the offending name:
 *
 * - it reads only its keys, what it assigns itself, `resources`, `vars`, global functions,
 *   and macros that cannot see the template's variables: those of files imported without
 *   context, and this file's top-level macros that read nothing but their arguments,
 *   `vars`, global functions and such macros;
 * - it does not assign a key, nor a variable of a scope around it (the file's top level, a
 *   loop or block it is in): `{% set %}` in a block is local to it, so name such a variable
 *   in `export` (names starting with "_", throwaways such as `{% set _ = xs.push(x) %}`,
 *   are not checked);
 * - it does not change a value it did not make (`push`, `sort`, ... on a key, `vars` or
 *   `resources`);
 * - it does not `include`, `import`, `extends` or define `block`s (those read the whole
 *   context);
 * - every name in `export` is assigned in the block.
 */
import { nodes, type AstNode } from './internals.ts';

/** The Memo AST node (memo-tag.ts builds it). */
export interface MemoNode extends AstNode {
  readonly keys: AstNode[];
  readonly exports: AstNode[];
  readonly body: AstNode;
  /** The Environment's global names when the tag was parsed. */
  globals: readonly string[];
}

/** Reports a broken rule at `at` (0-based positions); does not return. */
export type Fail = (message: string, at: AstNode) => never;

/** Methods that change the array, Map or Set they are called on. */
const MUTATORS: ReadonlySet<string> = new Set(['push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin', 'set', 'add', 'delete', 'clear']);

/** Tags that read the whole context, refused in a block. */
const REFUSED: ReadonlyMap<string, string> = new Map([
  ['Include', 'include'],
  ['Import', 'import'],
  ['FromImport', 'from ... import'],
  ['Extends', 'extends'],
  ['Block', 'block'],
  ['Super', 'super()'],
]);

/** The names the render itself gives every block. */
const RENDER_NAMES: ReadonlySet<string> = new Set(['resources', 'vars']);

/** What a subtree reads and binds. */
interface Names {
  /** Symbols read, first occurrence of each. */
  reads: Map<string, AstNode>;
  /** Names bound (set, for, macro, export), with how often. */
  bound: Map<string, number>;
  /** Names assigned with {% set %}, first occurrence of each. */
  assigned: Map<string, AstNode>;
  /** Method calls that change their receiver: receiver's root name, and the call. */
  mutations: Array<{ root: string; method: string; at: AstNode }>;
  /** Refused tags, first occurrence. */
  refused?: AstNode;
}

/** Checks a memo block against the rules above; gives the helper names its body reads (passed into its scope). */
export function checkMemoBlock(node: MemoNode, root: AstNode | undefined, fail: Fail): { helpers: string[] } {
  const keyNames = new Set(node.keys.map((key) => String(key.value)));
  const body = namesOf(node.body);
  if (body.refused !== undefined) fail(`memo: {% ${REFUSED.get(body.refused.typename)} %} is not allowed in a memo block (it reads the whole template context)`, body.refused);
  const helpers = root === undefined ? new Map<string, boolean>() : helperNames(root, node.globals);
  const allowed = (name: string): boolean => keyNames.has(name) || RENDER_NAMES.has(name) || node.globals.includes(name) || helpers.get(name) === true;
  for (const [name, at] of body.reads) {
    if (body.bound.has(name) || allowed(name)) continue;
    const why = helpers.has(name)
      ? `${name} is a macro that can read the template's variables or resources (import it without context, or pass what it reads as arguments)`
      : 'it comes from outside the block';
    fail(`memo: the block reads "${name}": ${why}; a memo block sees only its keys: name it in the keys ({% memo ${[...keyNames, name].join(', ')} %}) or compute it inside the block`, at);
  }
  checkAssignments(node, body, keyNames, root, fail);
  for (const { root: receiver, method, at } of body.mutations) {
    if (keyNames.has(receiver) || RENDER_NAMES.has(receiver)) fail(`memo: the block calls ${method}() on "${receiver}", which it did not make; a memo block cannot change values from outside it (copy it first: ${receiver}.slice(), or build a new value)`, at);
  }
  // Helpers the body or the blocks nested in it call: passed into the block's scope.
  const reads = namesOf(node.body, EVERY_BODY).reads;
  return { helpers: [...helpers.keys()].filter((name) => helpers.get(name) === true && reads.has(name) && !keyNames.has(name)) };
}

function checkAssignments(node: MemoNode, body: Names, keyNames: ReadonlySet<string>, root: AstNode | undefined, fail: Fail): void {
  const exported = new Set(node.exports.map((name) => String(name.value)));
  for (const name of node.exports) {
    if (!body.assigned.has(String(name.value))) fail(`memo: the block exports "${name.value}" but never assigns it ({% set ${name.value} = ... %} in the block)`, name);
  }
  // The variables of the scopes around the block: the file's, and those of the blocks it is in.
  const around = root === undefined ? new Map<string, number>() : namesOf(root, node).bound;
  for (const [name, at] of body.assigned) {
    if (keyNames.has(name)) fail(`memo: the block assigns its key "${name}"; a memo block cannot change its keys (use another name)`, at);
    if (around.has(name) && !exported.has(name) && !name.startsWith('_')) {
      fail(`memo: the block assigns "${name}", which the template also assigns outside the block; a {% set %} in a memo block is local to the block: rename it, or hand its value out with "export ${name}"`, at);
    }
  }
}

/**
 * Top-level names of the file that a block may call: true for macros that cannot see the
 * template's variables (files imported without context; this file's macros reading only
 * their arguments, `vars`, globals and such macros), false for other macros.
 */
function helperNames(root: AstNode, globals: readonly string[]): Map<string, boolean> {
  const helpers = new Map<string, boolean>();
  const macros = new Map<string, Names>();
  for (const child of root.children ?? []) {
    if (child.typename === 'Import') helpers.set(String(child.target?.value), (child as { withContext?: boolean }).withContext !== true);
    if (child.typename === 'FromImport') {
      const pure = (child as { withContext?: boolean }).withContext !== true;
      for (const name of (child as { names?: AstNode }).names?.children ?? []) helpers.set(String((name.typename === 'Pair' ? (name as { value?: AstNode }).value : name)?.value ?? ''), pure);
    }
    if (child.typename === 'Macro') macros.set(String(child.name?.value), namesOf(child));
  }
  for (const name of macros.keys()) helpers.set(name, true);
  // A macro is pure while everything it reads is; drop the impure ones until none changes.
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, names] of macros) {
      if (helpers.get(name) !== true) continue;
      const pure = [...names.reads.keys()].every((read) => names.bound.has(read) || read === 'vars' || globals.includes(read) || helpers.get(read) === true);
      if (!pure) {
        helpers.set(name, false);
        changed = true;
      }
    }
  }
  return helpers;
}

/**
 * The names `node` reads and binds. Memo bodies are scopes of their own and are not
 * walked, except those around `within` (a memo block below `node`), whose names are
 * around it too.
 */
function namesOf(node: AstNode, within?: MemoNode): Names {
  const names: Names = { reads: new Map(), bound: new Map(), assigned: new Map(), mutations: [] };
  walk(node, names, within);
  return names;
}

/** Walk every memo body: what the blocks nested in a block read, which it must pass on. */
const EVERY_BODY = {} as MemoNode;

function encloses(memo: AstNode, within: MemoNode | undefined): boolean {
  if (within === EVERY_BODY) return true;
  return within !== undefined && memo !== within && memo.findAll(memo.constructor as never).includes(within);
}

function bind(names: Names, symbol: AstNode | null | undefined): void {
  if (symbol === null || symbol === undefined) return;
  if (symbol.typename === 'Symbol') names.bound.set(String(symbol.value), (names.bound.get(String(symbol.value)) ?? 0) + 1);
  else for (const child of symbol.children ?? []) bind(names, child);
}

type Field = AstNode | AstNode[] | null | undefined;

function walk(node: Field, names: Names, within: MemoNode | undefined): void {
  if (node === null || node === undefined) return;
  if (Array.isArray(node)) {
    for (const child of node) walk(child, names, within);
    return;
  }
  if (!(node instanceof (nodes.Node as unknown as new () => AstNode))) return;
  const any = node as unknown as Record<string, Field>;
  switch (node.typename) {
    case 'Symbol':
      if (!names.reads.has(String(node.value))) names.reads.set(String(node.value), node);
      return;
    case 'Set':
      for (const target of any['targets'] as AstNode[]) {
        bind(names, target);
        if (!names.assigned.has(String(target.value))) names.assigned.set(String(target.value), target);
      }
      walk(any['value'], names, within);
      walk(any['body'], names, within);
      return;
    case 'For':
    case 'AsyncEach':
    case 'AsyncAll':
      bind(names, any['name'] as AstNode);
      names.bound.set('loop', (names.bound.get('loop') ?? 0) + 1);
      walk([any['arr'], any['body'], any['else_']] as AstNode[], names, within);
      return;
    case 'Macro':
    case 'Caller':
      walkMacro(any, names, within);
      return;
    case 'Pair':
      walk(any['value'], names, within);
      return;
    case 'Memo':
      walk(any['keys'], names, within);
      for (const name of any['exports'] as AstNode[]) bind(names, name);
      if (encloses(node, within)) walk(any['body'], names, within);
      return;
    case 'FunCall':
      noteMutation(node, names);
      break;
    case 'Filter':
    case 'FilterAsync':
      // The name is a filter's, not a variable.
      walk(any['args'], names, within);
      return;
    case 'Is': {
      // The right side names a test; only its arguments are read.
      walk(any['left'], names, within);
      const right = any['right'] as AstNode;
      if (right?.typename === 'FunCall') walk(right.args, names, within);
      return;
    }
    default:
      if (REFUSED.has(node.typename)) names.refused ??= node;
      if (node.typename === 'Import' || node.typename === 'FromImport') bindImport(any, names);
  }
  const fields = (node as unknown as { fields: string[] }).fields;
  for (const field of fields) walk(any[field], names, within);
}

function walkMacro(any: Record<string, Field>, names: Names, within: MemoNode | undefined): void {
  bind(names, any['name'] as AstNode);
  const inner: Names = { reads: new Map(), bound: new Map([['caller', 1]]), assigned: new Map(), mutations: names.mutations };
  for (const arg of (any['args'] as AstNode)?.children ?? []) {
    if (arg.typename === 'KeywordArgs') {
      for (const pair of arg.children ?? []) {
        bind(inner, (pair as { key?: AstNode }).key);
        walk((pair as { value?: AstNode }).value, names, within);
      }
    } else bind(inner, arg);
  }
  walk(any['body'], inner, within);
  // What the macro body reads and does not bind itself, the macro reads from outside.
  for (const [name, at] of inner.reads) if (!inner.bound.has(name) && !names.reads.has(name)) names.reads.set(name, at);
  names.refused ??= inner.refused;
}

function bindImport(any: Record<string, Field>, names: Names): void {
  bind(names, any['target'] as AstNode);
  for (const name of (any['names'] as AstNode)?.children ?? []) bind(names, name.typename === 'Pair' ? (name as { value?: AstNode }).value : name);
}

/** Records `x.push(...)` and the like: the receiver's root variable and the method. */
function noteMutation(call: AstNode, names: Names): void {
  const callee = call.name;
  if (callee?.typename !== 'LookupVal' || callee.val?.typename !== 'Literal' || !MUTATORS.has(String(callee.val.value))) return;
  let receiver = callee.target;
  while (receiver?.typename === 'LookupVal') receiver = receiver.target;
  if (receiver?.typename === 'Symbol') names.mutations.push({ root: String(receiver.value), method: String(callee.val.value), at: callee.val });
}
