/**
 * SelectorError: a label or field selector that does not parse or validate. It names the
 * selector text, the character offset where the problem starts, what was found there and
 * what was expected, so config errors can point at the exact spot.
 */

/** Which selector grammar an error belongs to. */
export type SelectorKind = 'label' | 'field';

export interface SelectorErrorDetails {
  kind: SelectorKind;
  /** The whole selector text as given. */
  selector: string;
  /** 0-based character offset in `selector` where the problem starts. */
  offset: number;
  /** What was found at `offset`, already quoted for messages (e.g. `'=='`, "end of string"). */
  found: string;
  /** What would have been accepted there, in words. */
  expected: string;
  cause?: unknown;
}

/** A selector that does not parse, naming the offset, what was found and what was expected. */
export class SelectorError extends Error {
  override readonly name = 'SelectorError';
  readonly kind: SelectorKind;
  readonly selector: string;
  readonly offset: number;
  readonly found: string;
  readonly expected: string;
  constructor(details: SelectorErrorDetails) {
    super(
      `invalid ${details.kind} selector ${JSON.stringify(details.selector)} at offset ${details.offset}: ` +
        `found ${details.found}, expected ${details.expected}`,
      { cause: details.cause },
    );
    this.kind = details.kind;
    this.selector = details.selector;
    this.offset = details.offset;
    this.found = details.found;
    this.expected = details.expected;
  }
}

/** Quotes a found token for an error message; the empty string reads as "end of string". */
export function describeFound(text: string): string {
  return text === '' ? 'end of string' : `'${text}'`;
}
