/**
 * The template stage's errors. Callers see RenderError only; the others are what template
 * functions throw, and end up as a RenderError's `cause`.
 */
import { templateLocation } from './nunjucks/index.ts';

/** What a RenderError reports. */
export interface RenderErrorDetails {
  /** The template's name (its key under `templates` in the config). */
  template: string;
  /** The file the error is in: the template's own, or an included/imported one. */
  file: string;
  /** 1-based line; undefined when unknown. */
  line: number | undefined;
  /** 1-based column; undefined when unknown. */
  col: number | undefined;
  /** The failing expression's message. */
  reason: string;
  cause?: unknown;
}

/**
 * A template failed to compile or to render. `message` is `file:line:col: reason` (with
 * line and column left out when unknown), so editors and terminals can jump to it. `file`
 * is an absolute path, or `<inline:NAME>` for a template written inline in the config.
 */
export class RenderError extends Error {
  override readonly name = 'RenderError';
  readonly template: string;
  readonly file: string;
  readonly line: number | undefined;
  readonly col: number | undefined;
  /** The message of the failing expression, without the location. */
  readonly reason: string;

  constructor(details: RenderErrorDetails) {
    super(`${formatLocation(details)}: ${details.reason}`, { cause: details.cause });
    this.template = details.template;
    this.file = details.file;
    this.line = details.line;
    this.col = details.col;
    this.reason = details.reason;
  }
}

function formatLocation(details: RenderErrorDetails): string {
  if (details.line === undefined) return details.file;
  if (details.col === undefined) return `${details.file}:${details.line}`;
  return `${details.file}:${details.line}:${details.col}`;
}

/**
 * Turns whatever nunjucks threw for `template` into a RenderError at the innermost located
 * position; an error without a location is reported against `file` (the template's own).
 * The cause is the error the failing expression threw (e.g. a ResourceError).
 */
export function toRenderError(err: unknown, template: string, file: string): RenderError {
  if (err instanceof RenderError) return err;
  const location = templateLocation(err);
  if (location === undefined) {
    return new RenderError({
      template,
      file,
      line: undefined,
      col: undefined,
      reason: err instanceof Error ? err.message : String(err),
      cause: err,
    });
  }
  return new RenderError({
    template,
    file: location.file,
    line: location.line,
    col: location.col,
    reason: location.message,
    cause: location.cause,
  });
}

/** Thrown by the template function `fail(msg)`: the template author aborted the render. */
export class TemplateFailure extends Error {
  override readonly name = 'TemplateFailure';
}

/** A misuse of `resources.<name>` in a template: unknown resource, bad keys, several matches. */
export class ResourceError extends Error {
  override readonly name = 'ResourceError';
  /** The resource name as written in the template. */
  readonly resource: string;
  /** The keys passed, as given (before conversion to strings). */
  readonly keys: readonly unknown[];
  constructor(message: string, options: { resource: string; keys?: readonly unknown[]; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.resource = options.resource;
    this.keys = options.keys ?? [];
  }
}

/** A filter rejected its input or arguments. */
export class FilterError extends Error {
  override readonly name = 'FilterError';
  /** The filter's name as used in templates. */
  readonly filter: string;
  constructor(filter: string, message: string, options?: { cause?: unknown }) {
    super(`${filter}: ${message}`, options);
    this.filter = filter;
  }
}
