/**
 * The recursive-descent parser of the Kubernetes label selector grammar
 * (k8s.io/apimachinery/pkg/labels Parse):
 *
 *   selector    ::= "" | requirement { "," requirement }
 *   requirement ::= "!" KEY | KEY | KEY ("=" | "==" | "!=" | ">" | "<") VALUE?
 *                 | KEY ("in" | "notin") "(" [ VALUE? { "," VALUE? } ] ")"
 *
 * An omitted value is the empty string (`a=`, `a in ()`, `a in (x,)`). Every failure is a
 * SelectorError at the offending token's offset.
 */
import { tokenizeLabelSelector, type Token } from './label-lexer.ts';
import { labelKeyProblem, labelValueProblem } from './label-validation.ts';
import { parseInt64, type LabelRequirement } from './label-requirement.ts';
import { SelectorError, describeFound } from './selector-error.ts';

/** Where in the grammar a token is read: keywords only count as operators in 'operator'. */
type Context = 'operator' | 'value';

const BINARY_OPERATORS = "an operator (in, notin, =, ==, !=, >, <)";

class TokenCursor {
  readonly text: string;
  readonly #tokens: Token[];
  #pos = 0;
  constructor(text: string) {
    this.text = text;
    this.#tokens = tokenizeLabelSelector(text);
  }
  peek(context: Context = 'value'): Token {
    return asContext(this.#tokens[this.#pos]!, context);
  }
  next(context: Context = 'value'): Token {
    const token = this.peek(context);
    if (token.kind !== 'end') this.#pos++;
    return token;
  }
  fail(token: Token, expected: string, cause?: unknown): never {
    throw new SelectorError({
      kind: 'label', selector: this.text, offset: token.offset, found: describeFound(token.text), expected, cause,
    });
  }
}

function asContext(token: Token, context: Context): Token {
  if (context === 'value' && (token.kind === 'in' || token.kind === 'notin')) {
    return { ...token, kind: 'identifier' };
  }
  return token;
}

/** Parses selector text into requirements in the order written; throws SelectorError. */
export function parseLabelRequirements(text: string): LabelRequirement[] {
  const cursor = new TokenCursor(text);
  const requirements: LabelRequirement[] = [];
  if (cursor.peek().kind === 'end') return requirements;
  let expected = "'!', a label key or end of string";
  for (;;) {
    const start = cursor.peek();
    if (start.kind !== 'identifier' && start.kind !== '!') cursor.fail(start, expected);
    requirements.push(parseRequirement(cursor));
    const after = cursor.next();
    if (after.kind === 'end') return requirements;
    if (after.kind !== ',') cursor.fail(after, "',' or end of string");
    expected = "'!' or a label key after ','";
  }
}

function parseRequirement(cursor: TokenCursor): LabelRequirement {
  const negated = cursor.peek().kind === '!';
  if (negated) cursor.next();
  const key = parseKey(cursor);
  const lookahead = cursor.peek();
  if (negated) return { key, operator: '!', values: [] };
  if (lookahead.kind === 'end' || lookahead.kind === ',') return { key, operator: 'exists', values: [] };
  const operator = cursor.next('operator');
  switch (operator.kind) {
    case 'in':
    case 'notin':
      return { key, operator: operator.kind, values: parseValueSet(cursor) };
    case '=':
    case '==':
    case '!=':
      return { key, operator: operator.kind === '==' ? '=' : operator.kind, values: [parseExactValue(cursor)] };
    case '>':
    case '<':
      return { key, operator: operator.kind === '>' ? 'gt' : 'lt', values: [parseIntegerValue(cursor, operator.kind)] };
    default:
      return cursor.fail(operator, BINARY_OPERATORS);
  }
}

function parseKey(cursor: TokenCursor): string {
  const token = cursor.next();
  if (token.kind !== 'identifier') cursor.fail(token, 'a label key');
  const problem = labelKeyProblem(token.text);
  if (problem !== undefined) cursor.fail(token, `a valid label key: ${problem}`);
  return token.text;
}

function parseExactValue(cursor: TokenCursor): string {
  const lookahead = cursor.peek();
  if (lookahead.kind === 'end' || lookahead.kind === ',') return '';
  return parseValue(cursor);
}

function parseValue(cursor: TokenCursor): string {
  const token = cursor.next();
  if (token.kind !== 'identifier') cursor.fail(token, 'a label value');
  const problem = labelValueProblem(token.text);
  if (problem !== undefined) cursor.fail(token, `a valid label value: ${problem}`);
  return token.text;
}

function parseIntegerValue(cursor: TokenCursor, operator: '>' | '<'): string {
  const token = cursor.peek();
  const value = parseExactValue(cursor);
  if (parseInt64(value) === undefined) cursor.fail(token, `a 64-bit integer after '${operator}'`);
  return value;
}

function parseValueSet(cursor: TokenCursor): string[] {
  const open = cursor.next();
  if (open.kind !== '(') cursor.fail(open, "'('");
  const lookahead = cursor.peek();
  if (lookahead.kind === ')') {
    cursor.next();
    return [''];
  }
  if (lookahead.kind !== 'identifier' && lookahead.kind !== ',') {
    cursor.fail(lookahead, "',', ')' or a label value");
  }
  const values = parseValueList(cursor);
  const close = cursor.next();
  if (close.kind !== ')') cursor.fail(close, "')'");
  return [...values].sort();
}

/**
 * A comma-separated list in which a missing value (`(,a)`, `(a,,b)`, `(a,)`) is "". Mirrors
 * Kubernetes exactly, quirks included, so that what parses here the API server accepts.
 */
function parseValueList(cursor: TokenCursor): Set<string> {
  const values = new Set<string>();
  for (;;) {
    const token = cursor.peek();
    if (token.kind === 'identifier') {
      values.add(parseValue(cursor));
      const lookahead = cursor.peek();
      if (lookahead.kind === ')') return values;
      if (lookahead.kind !== ',') cursor.fail(lookahead, "',' or ')'");
    } else if (token.kind === ',') {
      cursor.next();
      if (values.size === 0) values.add('');
      const lookahead = cursor.peek();
      if (lookahead.kind === ')') return values.add('');
      if (lookahead.kind === ',') {
        // As in Kubernetes, the second comma of ",," is taken here, so "(a,,)" is refused.
        cursor.next();
        values.add('');
      }
    } else {
      cursor.fail(token, "',' or a label value");
    }
  }
}

