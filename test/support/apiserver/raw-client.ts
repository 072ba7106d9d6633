/**
 * A raw fetch client for observing the test API server byte for byte in tests: JSON
 * requests, and watches read line by line with the received chunks kept.
 */

/** A JSON response. */
export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** Sends a request and parses the JSON answer. */
export async function requestJson<T = any>(url: string, init: RequestInit = {}): Promise<JsonResponse<T>> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

/** Sends a JSON body with `method`. */
export function sendJsonBody<T = any>(
  url: string,
  method: string,
  body: unknown,
  contentType = 'application/json',
): Promise<JsonResponse<T>> {
  const headers = { 'content-type': contentType };
  return requestJson<T>(url, { method, body: JSON.stringify(body), headers });
}

/** One parsed watch event. */
export interface WatchEvent {
  type: string;
  object: any;
}

/** An open watch read line by line. */
export interface RawWatch {
  status: number;
  headers: Headers;
  /** Every chunk received so far, as text. */
  chunks: string[];
  /** The next non-blank line parsed, or 'end' after a clean end; rejects when the stream breaks. */
  next(): Promise<WatchEvent | 'end'>;
  /** The next non-blank line as text, or 'end'. */
  nextLine(): Promise<string | 'end'>;
  /** Reads `n` events. */
  take(n: number): Promise<WatchEvent[]>;
  /** Reads until the stream ends cleanly and returns the events. */
  rest(): Promise<WatchEvent[]>;
  /** Aborts the request. */
  close(): void;
}

/** Opens a watch (any GET, really) and returns its line reader. */
export async function openWatch(url: string, init: RequestInit = {}): Promise<RawWatch> {
  const controller = new AbortController();
  const res = await fetch(url, { ...init, signal: controller.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const chunks: string[] = [];
  let buffer = '';
  const nextLine = async (): Promise<string | 'end'> => {
    for (;;) {
      const nl = buffer.indexOf('\n');
      if (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim() !== '') return line;
        continue;
      }
      const { value, done } = await reader.read();
      if (done) return 'end';
      const text = decoder.decode(value, { stream: true });
      chunks.push(text);
      buffer += text;
    }
  };
  const next = async (): Promise<WatchEvent | 'end'> => {
    const line = await nextLine();
    return line === 'end' ? line : (JSON.parse(line) as WatchEvent);
  };
  const watch: RawWatch = {
    status: res.status,
    headers: res.headers,
    chunks,
    next,
    nextLine,
    async take(n) {
      const events: WatchEvent[] = [];
      while (events.length < n) {
        const event = await next();
        if (event === 'end') throw new Error(`watch ended after ${events.length} of ${n} events`);
        events.push(event);
      }
      return events;
    },
    async rest() {
      const events: WatchEvent[] = [];
      for (let e = await next(); e !== 'end'; e = await next()) events.push(e);
      return events;
    },
    close: () => controller.abort(),
  };
  return watch;
}
