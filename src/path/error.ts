/**
 * PathError: a path expression that cannot be used, with the position of the problem.
 */

/**
 * Thrown by parsePath, compilePath and compileRemoval when an expression does not parse
 * or is not allowed where it is used. `offset` is the 0-based index of the offending
 * character inside `expr`; the message says what is wrong and where.
 */
export class PathError extends Error {
  override readonly name = 'PathError';
  /** The expression as written. */
  readonly expr: string;
  /** 0-based position of the problem inside `expr`. */
  readonly offset: number;
  /** What is wrong, without the expression and offset (for callers that add their own context). */
  readonly reason: string;
  constructor(expr: string, offset: number, reason: string, options?: { cause?: unknown }) {
    super(`${reason} at offset ${offset} in path ${JSON.stringify(expr)}`, options);
    this.expr = expr;
    this.offset = offset;
    this.reason = reason;
  }
}
