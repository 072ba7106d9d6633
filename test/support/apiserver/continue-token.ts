/**
 * Continue tokens for paginated lists: opaque to clients, base64url of JSON
 * `{"v":"meta.k8s.io/v1","rv":N,"start":"<next key>","s":<serial>}` like the real
 * server's (plus a serial so that every token issued so far can be expired at once).
 */
import { ApiError } from './status.ts';

/** A decoded continue token. */
export interface ContinuePoint {
  /** The snapshot resourceVersion of the list; -1 means "the current state" (an inconsistent continuation). */
  rv: number;
  /** The first key of the next page. */
  start: string;
}

/** Issues and checks continue tokens. */
export class ContinueTokens {
  #serial = 0;
  #validFrom = 0;

  /** A token for the page starting at `start` of the snapshot at `rv`. */
  issue(point: ContinuePoint): string {
    const body = { v: 'meta.k8s.io/v1', rv: point.rv, start: point.start, s: this.#serial++ };
    return Buffer.from(JSON.stringify(body)).toString('base64url');
  }

  /** Makes every token issued so far answer 410 Expired. */
  expireAll(): void {
    this.#validFrom = this.#serial;
  }

  /**
   * Decodes a token; ApiError 400 when malformed, 410 when expired by expireAll() (carrying
   * an inconsistent continuation, as the real server does).
   */
  decode(token: string): ContinuePoint {
    let body: { v?: unknown; rv?: unknown; start?: unknown; s?: unknown };
    try {
      body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof body;
    } catch (cause) {
      throw new ApiError(400, `continue key is not valid: ${String(cause)}`, {}, { cause });
    }
    const valid =
      body !== null && typeof body === 'object' && body.v === 'meta.k8s.io/v1' &&
      Number.isInteger(body.rv) && typeof body.start === 'string' && Number.isInteger(body.s);
    if (!valid) {
      throw new ApiError(400, 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
    }
    const point = { rv: body.rv as number, start: body.start as string };
    if ((body.s as number) < this.#validFrom) throw expiredContinue(this.issue({ rv: -1, start: point.start }));
    return point;
  }
}

/** The 410 the real server answers for a continue token whose snapshot is gone. */
export function expiredContinue(freshToken?: string): ApiError {
  return new ApiError(
    410,
    'The provided continue parameter is too old to display a consistent list result. You can start a new list ' +
      'without the continue parameter, or use the continue token in this response to retrieve the remainder of ' +
      'the results. Continuing with the provided token results in an inconsistent list - objects that were ' +
      'created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
    freshToken === undefined ? {} : { continueToken: freshToken },
  );
}
