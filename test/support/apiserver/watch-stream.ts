/**
 * One open watch response: a queue of newline-terminated JSON events written with
 * backpressure (events of one tick go out in one write), periodic bookmarks, the
 * timeoutSeconds deadline, selector transitions (an object that starts or stops matching
 * is ADDED or DELETED for this watch), and the stream faults (split chunks, a garbage
 * line, an in-stream 410, a dropped or clean end).
 */
import type { ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ChangeEvent } from './event-log.ts';
import { BodyWriter } from './body-writer.ts';
import { bookmarkType, typedParts, type Representation } from './media.ts';
import type { ServedResource } from './resources.ts';
import { failureStatus } from './status.ts';
import type { StoredObject } from './stored-object.ts';

/** Stream faults a watch consults while writing. */
export interface WatchChaos {
  /** Whether writes are currently split into small random pieces. */
  splitting(): boolean;
  /** True (once) when the next event of this resource must be written as garbage. */
  takeGarbage(resource: ServedResource): boolean;
  /** Uniform random number in [0, 1), seeded. */
  random(): number;
}

/** How one watch behaves. */
export interface WatchStreamOptions {
  resource: ServedResource;
  representation: Representation;
  /** Only objects of this namespace; undefined for all. */
  namespace?: string;
  /** Label and field selectors; undefined passes everything. */
  filter?: (obj: StoredObject) => boolean;
  /** Period of BOOKMARK events; undefined sends none. */
  bookmarkIntervalMs?: number;
  /** End the stream cleanly after this long; undefined never. */
  timeoutMs?: number;
  /** Sends headers only, then nothing, whatever happens (a stalled watch). */
  stalled?: boolean;
  currentRv: () => number;
  chaos: WatchChaos;
  /** Called once when the response has closed, for whatever reason. */
  onClose: (stream: WatchStream) => void;
}

/** Tunables of watch output. */
export const WATCH_STREAM_DEFAULTS = Object.freeze({
  /** Characters of queued events handed to one write call: large batches for initial lists. */
  batchChars: 1024 * 1024,
  /** The largest small piece of a split write, in characters: small enough to split most events. */
  maxSplitPieceChars: 64,
  /** How often (0..1) a split write makes one large piece instead, so several events share a chunk. */
  joinedPieceChance: 0.2,
  /** The size of such a large piece, in characters: several typical test events. */
  joinedPieceChars: 2048,
  /** How often (0..1) a split write adds a blank line after an event. */
  blankLineChance: 0.3,
});
/** The start of each event line, by type. */
const EVENT_HEADS = Object.freeze({
  ADDED: '{"type":"ADDED","object":',
  MODIFIED: '{"type":"MODIFIED","object":',
  DELETED: '{"type":"DELETED","object":',
});
/** What nextInvalidJsonLine writes instead of an event. */
const GARBAGE_LINE = '{"type":"ADDED","object":{"kind": this is not JSON\n';

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A watch response being written. */
export class WatchStream {
  readonly resource: ServedResource;
  readonly #res: ServerResponse;
  readonly #options: WatchStreamOptions;
  readonly #timers: NodeJS.Timeout[] = [];
  /** String parts of the queued events; a part ending in a newline ends an event. */
  #queue: string[] = [];
  #head = 0;
  readonly #writer: BodyWriter;
  #pumping = false;
  #ending = false;
  #closed = false;
  #lastRv = 0;

  /** Writes the 200 headers at once (clients wait for them) and arms the timers. */
  constructor(res: ServerResponse, options: WatchStreamOptions) {
    this.resource = options.resource;
    this.#res = res;
    this.#options = options;
    this.#writer = new BodyWriter(res);
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
      'Cache-Control': 'no-cache, private',
    });
    res.flushHeaders();
    res.on('close', () => this.#onClose());
    if (options.bookmarkIntervalMs !== undefined) {
      this.#timers.push(setInterval(() => this.bookmark(options.currentRv()), options.bookmarkIntervalMs).unref());
    }
    if (options.timeoutMs !== undefined) {
      this.#timers.push(setTimeout(() => this.end(), options.timeoutMs).unref());
    }
  }

  /** True once the response has closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Sends one object as an event of `type`, unfiltered (initial ADDED events). */
  send(type: EventType, obj: StoredObject): void {
    this.#lastRv = Math.max(this.#lastRv, obj.rv);
    const object = typedParts(this.#options.representation, this.resource, obj);
    this.#enqueueEvent([EVENT_HEADS[type], ...object, '}\n']);
  }

  /** Sends a change if this watch sees it, translating selector transitions. */
  deliver(event: ChangeEvent): void {
    const { namespace, filter } = this.#options;
    if (namespace !== undefined && event.object.namespace !== namespace) return;
    const type = visibleType(event, filter ?? (() => true));
    if (type !== undefined) this.send(type, event.object);
  }

  /** Sends a BOOKMARK at `rv`; with `initialEventsEnd`, the end marker of a streaming list. */
  bookmark(rv: number, initialEventsEnd = false): void {
    this.#lastRv = Math.max(this.#lastRv, rv);
    const metadata = initialEventsEnd
      ? { resourceVersion: String(rv), annotations: { 'k8s.io/initial-events-end': 'true' } }
      : { resourceVersion: String(rv) };
    const object = { ...bookmarkType(this.#options.representation, this.resource), metadata };
    this.#enqueueEvent([`{"type":"BOOKMARK","object":${JSON.stringify(object)}}\n`]);
  }

  /** Sends an ERROR event with a 410 Expired Status, then ends cleanly. */
  expire(message = `too old resource version: ${this.#lastRv} (${this.#options.currentRv()})`): void {
    if (this.#ending) return;
    const status = failureStatus(410, message, { reason: 'Expired' });
    this.#enqueue([`{"type":"ERROR","object":${JSON.stringify(status)}}\n`]);
    this.end();
  }

  /** Ends the response cleanly (chunked terminator) once everything queued is written. */
  end(): void {
    this.#ending = true;
    this.#schedule();
  }

  /** Destroys the connection at once: the client sees the stream break mid-way. */
  drop(): void {
    this.#res.destroy();
  }

  #enqueueEvent(parts: string[]): void {
    if (this.#closed || this.#ending || this.#options.stalled) return;
    this.#enqueue(this.#options.chaos.takeGarbage(this.resource) ? [GARBAGE_LINE] : parts);
  }

  #enqueue(parts: string[]): void {
    if (this.#closed || this.#ending || this.#options.stalled) return;
    for (const part of parts) this.#queue.push(part);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#pumping || this.#closed) return;
    this.#pumping = true;
    setImmediate(() => void this.#pump());
  }

  /** Writes the queue out (whole batches, or split pieces), then ends if asked to. */
  async #pump(): Promise<void> {
    try {
      while (!this.#closed && this.#head < this.#queue.length) {
        const parts = this.#takeBatch();
        if (this.#options.chaos.splitting()) await this.#writeSplit(parts);
        else await this.#writer.write(parts);
      }
      if (this.#ending && !this.#closed && !this.#res.writableEnded) this.#res.end();
    } finally {
      this.#pumping = false;
    }
  }

  /** Takes queued parts up to one batch's worth. */
  #takeBatch(): string[] {
    const batch: string[] = [];
    let chars = 0;
    while (this.#head < this.#queue.length && chars < WATCH_STREAM_DEFAULTS.batchChars) {
      const part = this.#queue[this.#head++]!;
      batch.push(part);
      chars += part.length;
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    }
    return batch;
  }

  /**
   * Writes events as pieces of 1..maxSplitPieceChars characters (now and then one of
   * joinedPieceChars), one write per turn of the event loop, with a blank line after some
   * events.
   */
  async #writeSplit(parts: string[]): Promise<void> {
    const random = this.#options.chaos.random;
    const { blankLineChance, joinedPieceChance, joinedPieceChars, maxSplitPieceChars } = WATCH_STREAM_DEFAULTS;
    const text = parts.map((part) => (part.endsWith('\n') && random() < blankLineChance ? `${part}\n` : part)).join('');
    for (let at = 0; at < text.length && !this.#closed; ) {
      const size = random() < joinedPieceChance ? joinedPieceChars : 1 + Math.floor(random() * maxSplitPieceChars);
      await this.#writer.write([text.slice(at, at + size)]);
      at += size;
      await nextTurn();
    }
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#queue = [];
    this.#options.onClose(this);
  }
}

/** The event type a watch with `filter` sees for a change, or undefined when it sees none. */
function visibleType(event: ChangeEvent, filter: (obj: StoredObject) => boolean): EventType | undefined {
  const now = filter(event.object);
  if (event.type !== 'MODIFIED') return now ? event.type : undefined;
  const before = filter(event.prev!);
  if (before && now) return 'MODIFIED';
  if (now) return 'ADDED';
  return before ? 'DELETED' : undefined;
}
