/**
 * The tokenizer of the Kubernetes label selector grammar (as k8s.io/apimachinery/pkg/labels
 * lexes it): identifiers run until whitespace or one of `= ! ( ) , > <`; `!=` and `==` are
 * the only two-character operators; `in` and `notin` are keywords that the parser treats
 * as plain identifiers wherever a value is expected.
 */

export type TokenKind =
  | 'identifier'
  | 'in'
  | 'notin'
  | '='
  | '=='
  | '!='
  | '!'
  | '>'
  | '<'
  | '('
  | ')'
  | ','
  | 'end';

/** One token with the character offset where it starts in the selector text. */
export interface Token {
  kind: TokenKind;
  /** The literal text; empty for `end`. */
  text: string;
  offset: number;
}

const WHITESPACE = new Set([' ', '\t', '\r', '\n']);
const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);
const TWO_CHAR_OPERATORS = new Set(['!=', '==']);

/** Splits selector text into tokens, always ending with one `end` token. Never throws. */
export function tokenizeLabelSelector(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  for (;;) {
    while (pos < text.length && WHITESPACE.has(text[pos]!)) pos++;
    if (pos >= text.length) {
      tokens.push({ kind: 'end', text: '', offset: text.length });
      return tokens;
    }
    const token = SPECIAL.has(text[pos]!) ? readOperator(text, pos) : readIdentifier(text, pos);
    tokens.push(token);
    pos += token.text.length;
  }
}

function readOperator(text: string, pos: number): Token {
  const two = text.slice(pos, pos + 2);
  const literal = TWO_CHAR_OPERATORS.has(two) ? two : text[pos]!;
  return { kind: literal as TokenKind, text: literal, offset: pos };
}

function readIdentifier(text: string, pos: number): Token {
  let end = pos;
  while (end < text.length && !WHITESPACE.has(text[end]!) && !SPECIAL.has(text[end]!)) end++;
  const literal = text.slice(pos, end);
  const kind: TokenKind = literal === 'in' || literal === 'notin' ? literal : 'identifier';
  return { kind, text: literal, offset: pos };
}
