/**
 * Label selectors with the full Kubernetes grammar (k8s.io/apimachinery/pkg/labels):
 * `a`, `!a`, `a=b`, `a==b`, `a!=b`, `a in (b,c)`, `a notin (b,c)`, `a>1`, `a<1`, joined
 * by commas (AND). Written independently of the product's selector so the test server
 * can catch the product's mistakes.
 */

/** One requirement of a selector. */
export type Requirement =
  | { key: string; op: 'exists' | 'doesNotExist' }
  | { key: string; op: 'in' | 'notin'; values: readonly string[] }
  | { key: string; op: 'gt' | 'lt'; value: number };

/** A parsed selector: all requirements must hold. */
export interface LabelSelector {
  readonly requirements: readonly Requirement[];
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
}

/** A selector that does not parse; the message names the position. */
export class LabelSelectorError extends Error {
  override readonly name = 'LabelSelectorError';
}

type TokenKind = 'ident' | '!' | '!=' | '=' | '==' | '(' | ')' | ',' | '<' | '>' | 'in' | 'notin' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
  at: number;
}

const SPECIAL = new Set(['!', '=', '(', ')', ',', '<', '>']);
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Splits a selector into tokens. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (SPECIAL.has(ch)) {
      const two = text.slice(i, i + 2);
      const kind = (two === '!=' || two === '==' ? two : ch) as TokenKind;
      tokens.push({ kind, text: kind, at: i });
      i += kind.length;
    } else {
      const start = i;
      while (i < text.length && !SPECIAL.has(text[i]!) && !/\s/.test(text[i]!)) i++;
      const word = text.slice(start, i);
      const kind: TokenKind = word === 'in' || word === 'notin' ? word : 'ident';
      tokens.push({ kind, text: word, at: start });
    }
  }
  tokens.push({ kind: 'end', text: '', at: text.length });
  return tokens;
}

/** Recursive-descent parser over the tokens of one selector. */
class Parser {
  readonly #tokens: Token[];
  #pos = 0;
  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  parse(): Requirement[] {
    if (this.#peek().kind === 'end') return [];
    const requirements = [this.#requirement()];
    while (this.#peek().kind !== 'end') {
      this.#expect(',');
      requirements.push(this.#requirement());
    }
    return requirements;
  }

  #requirement(): Requirement {
    if (this.#peek().kind === '!') {
      this.#pos++;
      return { key: this.#key(), op: 'doesNotExist' };
    }
    const key = this.#key();
    const op = this.#peek();
    if (op.kind === 'end' || op.kind === ',') return { key, op: 'exists' };
    this.#pos++;
    switch (op.kind) {
      case '=':
      case '==':
        return { key, op: 'in', values: [this.#optionalValue()] };
      case '!=':
        return { key, op: 'notin', values: [this.#optionalValue()] };
      case 'in':
      case 'notin':
        return { key, op: op.kind, values: this.#valueSet() };
      case '<':
      case '>':
        return { key, op: op.kind === '<' ? 'lt' : 'gt', value: this.#integer() };
      default:
        throw this.#error(op, "'=', '==', '!=', 'in', 'notin', '<' or '>'");
    }
  }

  #key(): string {
    const token = this.#expect('ident');
    const slash = token.text.lastIndexOf('/');
    const prefix = slash < 0 ? undefined : token.text.slice(0, slash);
    const name = slash < 0 ? token.text : token.text.slice(slash + 1);
    const prefixOk = prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix));
    if (!prefixOk || name.length > 63 || !NAME.test(name)) {
      throw new LabelSelectorError(`invalid label key "${token.text}" at position ${token.at}`);
    }
    return token.text;
  }

  #optionalValue(): string {
    const next = this.#peek();
    if (next.kind === 'end' || next.kind === ',') return '';
    return this.#value();
  }

  #value(): string {
    const token = this.#peek();
    // keywords are valid values: `tier in (in, notin)`
    if (token.kind !== 'ident' && token.kind !== 'in' && token.kind !== 'notin') {
      throw this.#error(token, 'a value');
    }
    this.#pos++;
    if (token.text.length > 63 || !NAME.test(token.text)) {
      throw new LabelSelectorError(`invalid label value "${token.text}" at position ${token.at}`);
    }
    return token.text;
  }

  #valueSet(): string[] {
    this.#expect('(');
    const values: string[] = [];
    for (;;) {
      const next = this.#peek();
      values.push(next.kind === ',' || next.kind === ')' ? '' : this.#value());
      if (this.#peek().kind === ')') break;
      this.#expect(',');
    }
    this.#pos++;
    if (values.length === 1 && values[0] === '') {
      throw new LabelSelectorError(`for 'in' and 'notin' the set of values must not be empty`);
    }
    return values;
  }

  #integer(): number {
    const token = this.#expect('ident');
    if (!/^-?\d+$/.test(token.text)) {
      throw new LabelSelectorError(`"${token.text}" at position ${token.at} is not an integer`);
    }
    return Number(token.text);
  }

  #peek(): Token {
    return this.#tokens[this.#pos]!;
  }

  #expect(kind: TokenKind): Token {
    const token = this.#peek();
    if (token.kind !== kind) throw this.#error(token, kind === 'ident' ? 'an identifier' : `'${kind}'`);
    this.#pos++;
    return token;
  }

  #error(token: Token, expected: string): LabelSelectorError {
    const found = token.kind === 'end' ? 'end of selector' : `'${token.text}'`;
    return new LabelSelectorError(`found ${found} at position ${token.at}, expected ${expected}`);
  }
}

/** True when one requirement holds for the labels. */
function holds(req: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = labels[req.key];
  switch (req.op) {
    case 'exists':
      return has;
    case 'doesNotExist':
      return !has;
    case 'in':
      return has && req.values.includes(value!);
    case 'notin':
      return !has || !req.values.includes(value!);
    case 'gt':
    case 'lt': {
      if (!has || !/^-?\d+$/.test(value!)) return false;
      const n = Number(value);
      return req.op === 'gt' ? n > req.value : n < req.value;
    }
  }
}

/**
 * Parses a label selector. The empty string selects everything. Throws a
 * LabelSelectorError naming the offending position for anything the real API server
 * would reject.
 */
export function parseLabelSelector(text: string): LabelSelector {
  const requirements = new Parser(tokenize(text)).parse();
  return {
    requirements,
    matches: (labels) => requirements.every((req) => holds(req, labels ?? {})),
  };
}
