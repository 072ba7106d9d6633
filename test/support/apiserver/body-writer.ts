/**
 * Writes response bodies made of many strings (100k cached object JSON texts) quickly:
 * strings are encoded straight into pooled byte pieces, which avoids building and then
 * re-encoding large joined strings, and the socket's backpressure is respected.
 */
import type { ServerResponse } from 'node:http';

/** Sizes of the pieces written. */
export const BODY_DEFAULTS = Object.freeze({
  /** Bytes per write of a large body: big enough to amortize syscalls, small enough to pool. */
  pieceBytes: 256 * 1024,
  /** Pieces kept for reuse per writer (a piece is reusable once the socket has taken it). */
  poolSize: 4,
  /** A batch below this many characters is written as one string: cheaper than a piece. */
  smallBatchChars: 16 * 1024,
});

/** Writes string parts to one response, in order. */
export class BodyWriter {
  readonly #res: ServerResponse;
  readonly #pool: Buffer[] = [];
  #piece: Buffer | undefined;
  #used = 0;

  constructor(res: ServerResponse) {
    this.#res = res;
  }

  /**
   * Writes the parts (concatenated) and resolves once the socket accepted them, after a
   * 'drain' when it was full. Resolves false when the response has closed.
   */
  async write(parts: readonly string[]): Promise<boolean> {
    let chars = 0;
    for (const part of parts) chars += part.length;
    if (chars < BODY_DEFAULTS.smallBatchChars) return this.#send(parts.join(''));
    for (const part of parts) {
      // 3 bytes per UTF-16 unit is the UTF-8 worst case
      if (this.#used + part.length * 3 > BODY_DEFAULTS.pieceBytes) {
        if (!(await this.#flush())) return false;
        if (part.length * 3 > BODY_DEFAULTS.pieceBytes) {
          if (!(await this.#send(part))) return false;
          continue;
        }
      }
      this.#piece ??= this.#pool.pop() ?? Buffer.allocUnsafe(BODY_DEFAULTS.pieceBytes);
      this.#used += this.#piece.write(part, this.#used);
    }
    return this.#flush();
  }

  async #flush(): Promise<boolean> {
    const piece = this.#piece;
    if (piece === undefined || this.#used === 0) return !this.#res.destroyed;
    const bytes = piece.subarray(0, this.#used);
    this.#piece = undefined;
    this.#used = 0;
    return this.#send(bytes, () => {
      if (this.#pool.length < BODY_DEFAULTS.poolSize) this.#pool.push(piece);
    });
  }

  async #send(chunk: string | Buffer, written?: () => void): Promise<boolean> {
    if (this.#res.destroyed || this.#res.writableEnded) return false;
    const ok = written === undefined ? this.#res.write(chunk) : this.#res.write(chunk, () => written());
    if (!ok) await drainOrClose(this.#res);
    return !this.#res.destroyed;
  }
}

/** Resolves at the response's next 'drain' or 'close', leaving no listener behind. */
export function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) {
      resolve();
      return;
    }
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
