/**
 * Where an error happened in a template: the location the error-location patches attach to
 * errors, read with {@link templateLocation}. Nothing here patches nunjucks: reading or
 * attaching a location works the same whether or not install() has run.
 */
import { lib, type TemplateError } from './internals.ts';

/** Where an error happened while rendering a template. */
export interface TemplateLocation {
  /** The template file (absolute path, or the name given to an inline template). */
  readonly file: string;
  /** 1-based line; undefined when nunjucks could not tell. */
  readonly line: number | undefined;
  /** 1-based column; undefined when nunjucks could not tell. */
  readonly col: number | undefined;
  /** The failing expression's own message, without nunjucks' decorations. */
  readonly message: string;
  /** The error the failing expression threw (the located error itself when it was nunjucks' own). */
  readonly cause: unknown;
}

const LOCATION = Symbol.for('informant.templateLocation');

/** The location of a render or compile error, when it has one. */
export function templateLocation(err: unknown): TemplateLocation | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  return (err as { [LOCATION]?: TemplateLocation })[LOCATION];
}

/** Attaches `location` to `err` (not enumerable: logs and copies of the error leave it out). */
export function setLocation(err: object, location: TemplateLocation): void {
  Object.defineProperty(err, LOCATION, { value: location, enumerable: false, configurable: true });
}

function isTemplateError(err: unknown): err is TemplateError {
  return err instanceof lib.TemplateError;
}

/** An error's message; anything else thrown, as a string. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Returns `err` located in `file` at the 0-based `lineno`/`colno` unless it
 * already has a location (an inner site located it first, or nunjucks itself gave it a line).
 * Compiled templates call it (as `runtime.informantLocateError`) at every catch site.
 */
export function locateError(err: unknown, lineno: number, colno: number, file: string): unknown {
  if (templateLocation(err) !== undefined) return err;
  if (isTemplateError(err) && err.lineno) {
    const col = err.colno || undefined;
    setLocation(err, { file, line: err.lineno, col, message: err.message, cause: err });
    return err;
  }
  const located = new lib.TemplateError(err, lineno + 1, colno + 1);
  setLocation(located, { file, line: lineno + 1, col: colno + 1, message: messageOf(err), cause: err });
  return located;
}
