/**
 * The error patch: the locations of compile errors, and locations kept through nunjucks'
 * message formatting (render errors are located by the compiler patch).
 * - a syntax error at the end of the input (an unclosed tag) is reported at the end of the
 *   file instead of without a position;
 * - nunjucks' message formatter claims an error nothing located yet (a compile error) for
 *   the file it passes through, keeping its original message; and the copy it makes of an
 *   error that is not nunjucks' own keeps the location.
 */
import { lib, parser, type Parser, type TemplateError } from './internals.ts';
import { messageOf, setLocation, templateLocation } from './location.ts';

/**
 * Wraps nunjucks' message formatter, which runs once per template file an error passes
 * through, innermost first, and rewrites the message: an error nothing located yet (a
 * compile error) is claimed for that file, with its original message and any line and
 * column nunjucks gave it.
 */
function prettifyError(original: typeof lib._prettifyError): typeof lib._prettifyError {
  return function prettify(path, withInternals, err) {
    let location = templateLocation(err);
    if (location === undefined && err !== null && typeof err === 'object') {
      const { lineno, colno } = err as TemplateError;
      const line = lineno || undefined;
      location = { file: path, line, col: line && (colno || undefined), message: messageOf(err), cause: err };
      setLocation(err, location);
    }
    const pretty = original(path, withInternals, err);
    // nunjucks wraps errors that are not its own in a new TemplateError.
    if (location !== undefined && pretty !== err && pretty !== null && typeof pretty === 'object') {
      setLocation(pretty, location);
    }
    return pretty;
  };
}

/** Wraps the parser's error factory: an error at the end of the input gets the end position. */
function parserError(original: Parser['error']): Parser['error'] {
  return function error(this: Parser, msg, lineno, colno) {
    if ((lineno === undefined || colno === undefined) && !this.peekToken()) {
      const lines = this.tokens.str.split('\n');
      return original.call(this, msg, lines.length - 1, lines.at(-1)!.length);
    }
    return original.call(this, msg, lineno, colno);
  };
}

/** Applies the error patch; install() calls it once. */
export function installErrorPatch(): void {
  lib._prettifyError = prettifyError(lib._prettifyError);
  parser.Parser.prototype.error = parserError(parser.Parser.prototype.error);
}
