/**
 * ManifestError: a problem with one manifest file (a syntax error, a document that is not
 * a Kubernetes object, a file that cannot be read), naming the file, line and column.
 */
import { WatchError } from '../index.ts';

export interface ManifestPosition {
  /** Absolute path of the manifest file. */
  file: string;
  /** 1-based line; undefined when the problem concerns the whole file. */
  line?: number;
  /** 1-based column; undefined when the problem concerns the whole file. */
  col?: number;
}

/** A WatchError located in a manifest file; the message starts with `file:line:col:`. */
export class ManifestError extends WatchError {
  readonly file: string;
  readonly line: number | undefined;
  readonly col: number | undefined;
  /** The problem without its location, e.g. "object has no metadata.name". */
  readonly reason: string;
  constructor(reason: string, position: ManifestPosition, options: { resource?: string; cause?: unknown } = {}) {
    super(`${formatPosition(position)}: ${reason}`, options);
    this.file = position.file;
    this.line = position.line;
    this.col = position.col;
    this.reason = reason;
  }
}

/** `file:line:col`, `file:line` or `file`, as editors and terminals link them. */
export function formatPosition(position: ManifestPosition): string {
  if (position.line === undefined) return position.file;
  if (position.col === undefined) return `${position.file}:${position.line}`;
  return `${position.file}:${position.line}:${position.col}`;
}
