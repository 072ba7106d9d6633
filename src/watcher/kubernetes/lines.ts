/**
 * The watch stream's framing: newline-delimited JSON events. `LineSplitter` turns raw
 * body chunks (split anywhere, even inside a UTF-8 sequence) into complete lines;
 * `parseWatchEvent` turns one line into a typed event or throws InvalidWatchLineError.
 */
import { isKubeObject, type KubeObject } from '../../k8s.ts';
import { WATCH_EVENT_TYPES, type WatchEventType } from '../stats.ts';

/** A Kubernetes Status object, as sent in ERROR events and error response bodies. */
export interface ApiStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  [field: string]: unknown;
}

/** One decoded watch event. ERROR events carry a Status; every other type an object. */
export type WatchEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: KubeObject }
  | { type: 'ERROR'; object: ApiStatus };

const DEFAULTS = Object.freeze({
  /** Longest line accepted, in bytes (UTF-16 units after decoding): 64 MiB. etcd caps an
   * object at ~1.5 MiB, so anything near this is a broken stream, not a big object. */
  maxLineLength: 64 * 1024 * 1024,
  /** How much of a bad line is quoted in errors and logs, in characters. */
  excerptLength: 200,
});

/** A line that is not a well-formed watch event; carries an excerpt of the line. */
export class InvalidWatchLineError extends Error {
  override readonly name = 'InvalidWatchLineError';
  // Private, so that serializing the error (e.g. pino's err serializer) never copies it:
  // the line may hold Secret data, and only the caller knows whether it may be logged.
  readonly #excerpt: string;
  constructor(message: string, line: string, cause?: unknown) {
    super(message, { cause });
    this.#excerpt = excerpt(line);
  }

  /** The first ~200 characters of the offending line. */
  get excerpt(): string {
    return this.#excerpt;
  }
}

/** The first `DEFAULTS.excerptLength` characters of `text`, marked when cut. */
export function excerpt(text: string): string {
  const max = DEFAULTS.excerptLength;
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/**
 * Splits a byte stream into lines. Feed chunks in order with `push`; each call returns the
 * lines completed by that chunk, without the newline (a trailing "\r" is dropped too) and
 * without blank lines. A multi-byte character split across chunks is decoded whole.
 * `end()` returns the unterminated remainder, if any.
 */
export class LineSplitter {
  readonly #decoder = new TextDecoder('utf-8');
  readonly #maxLength: number;
  #buffer = '';

  constructor(maxLength: number = DEFAULTS.maxLineLength) {
    this.#maxLength = maxLength;
  }

  /** Adds a chunk; returns the complete non-blank lines it finished. */
  push(chunk: Uint8Array | string): string[] {
    const text = typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true });
    const lines: string[] = [];
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      this.#emit(this.#buffer + text.slice(start, newline), lines);
      this.#buffer = '';
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    this.#buffer += text.slice(start);
    if (this.#buffer.length > this.#maxLength) {
      throw new InvalidWatchLineError(`watch line longer than ${this.#maxLength} characters`, this.#buffer);
    }
    return lines;
  }

  /** Flushes the decoder; returns the last line when the stream did not end with "\n". */
  end(): string[] {
    const rest = this.#buffer + this.#decoder.decode();
    this.#buffer = '';
    const lines: string[] = [];
    this.#emit(rest, lines);
    return lines;
  }

  #emit(line: string, into: string[]): void {
    const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (trimmed.trim() !== '') into.push(trimmed);
  }
}

/**
 * Decodes one line of a watch stream. Throws InvalidWatchLineError when the line is not
 * JSON, has an unknown type, or its object lacks what the type needs (metadata.name for
 * object events, metadata.resourceVersion for bookmarks, an object for errors).
 */
export function parseWatchEvent(line: string): WatchEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    // V8's message quotes the input, which may be Secret data: describe it ourselves.
    throw new InvalidWatchLineError(`invalid JSON on the watch stream (a line of ${line.length} characters)`, line);
  }
  const { type, object } = (parsed ?? {}) as { type?: unknown; object?: unknown };
  if (!WATCH_EVENT_TYPES.includes(type as WatchEventType)) {
    throw new InvalidWatchLineError(`watch event with unknown type ${JSON.stringify(type)}`, line);
  }
  return checkObject(type as WatchEventType, object, line);
}

function checkObject(type: WatchEventType, object: unknown, line: string): WatchEvent {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    throw new InvalidWatchLineError(`${type} watch event without an object`, line);
  }
  if (type === 'ERROR') return { type, object: object as ApiStatus };
  if (type === 'BOOKMARK') {
    const rv = (object as { metadata?: { resourceVersion?: unknown } }).metadata?.resourceVersion;
    if (typeof rv !== 'string') throw new InvalidWatchLineError('BOOKMARK without metadata.resourceVersion', line);
    return { type, object: object as KubeObject };
  }
  if (!isKubeObject(object)) throw new InvalidWatchLineError(`${type} watch event without metadata.name`, line);
  return { type, object };
}
