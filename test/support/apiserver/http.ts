/**
 * Small node:http helpers: JSON answers, Status answers, request bodies, streamed bodies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyWriter } from './body-writer.ts';
import { ApiError } from './status.ts';

/** Limits of request handling. */
export const HTTP_DEFAULTS = Object.freeze({
  /** Largest request body accepted, in bytes (the real server allows 3 MiB objects; some slack). */
  maxBodyBytes: 8 * 1024 * 1024,
});

/** Answers with a JSON body (an object, or JSON text already serialized). */
export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Answers with the Status of an ApiError (and Retry-After when it has one). */
export function sendError(res: ServerResponse, error: ApiError): void {
  const retry = error.extras.retryAfterSeconds;
  sendJson(res, error.code, error.toStatus(), retry === undefined ? {} : { 'Retry-After': String(retry) });
}

/** Reads and parses a JSON request body; ApiError 400 when it is not JSON, 413 when too large. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > HTTP_DEFAULTS.maxBodyBytes) throw new ApiError(413, 'the request body is too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ApiError(400, `the request body is not valid JSON: ${(cause as Error).message}`, {}, { cause });
  }
}

/**
 * Writes `parts` (concatenated) as a 200 chunked JSON body with backpressure. Resolves
 * when the body has ended or the client went away.
 */
export async function streamJson(res: ServerResponse, parts: readonly string[]): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  if (await new BodyWriter(res).write(parts)) res.end();
}
