/**
 * LIST: one page of a consistent snapshot, with the real server's resourceVersion
 * semantics:
 * - resourceVersion unset or "": the most recent state (a consistent read);
 * - "0": any state, served from the current one (and, unlike the real watch cache, the
 *   limit is honoured, so pagination is exercised either way);
 * - "N" (NotOlderThan, the default match): the current state; N beyond it → 504;
 * - "N" with resourceVersionMatch=Exact: the snapshot at N, 410 once it is out of history;
 * - continue: the next page of the token's snapshot; 410 once it is out of history.
 */
import type { ServerResponse } from 'node:http';
import type { ServerContext } from './context.ts';
import { expiredContinue } from './continue-token.ts';
import { streamJson } from './http.ts';
import { itemParts, listType, type Representation } from './media.ts';
import { parseCount, parseRv, selectorFilter, tooLargeRv } from './query.ts';
import type { ResourceRoute } from './router.ts';
import { readPage, type Page } from './snapshot.ts';
import { ApiError } from './status.ts';

const MATCH = 'resourceVersionMatch';

/** Where a list reads from. */
export interface ListPoint {
  /** Snapshot resourceVersion. */
  atRv: number;
  /** First key, when continuing. */
  start?: string;
}

/** Resolves resourceVersion, resourceVersionMatch and continue to a snapshot point. */
export function listPoint(ctx: ServerContext, query: URLSearchParams): ListPoint {
  const rvText = query.get('resourceVersion') ?? '';
  const match = query.get('resourceVersionMatch') ?? '';
  const token = query.get('continue') ?? '';
  const current = ctx.state.rv;
  if (token !== '') {
    if (rvText !== '' && rvText !== '0') {
      throw new ApiError(400, 'specifying resource version is not allowed when using continue');
    }
    const point = ctx.tokens.decode(token);
    return { atRv: point.rv < 0 ? current : point.rv, start: point.start };
  }
  if (match !== '' && match !== 'Exact' && match !== 'NotOlderThan') {
    throw new ApiError(422, `${MATCH}: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`);
  }
  if (match !== '' && rvText === '') {
    throw new ApiError(422, `${MATCH}: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided`);
  }
  const rv = rvText === '' ? undefined : parseRv(rvText);
  if (rv !== undefined && rv > current) throw tooLargeRv(rv, current);
  if (match === 'Exact') {
    if (rv === 0) {
      throw new ApiError(422, `${MATCH}: Forbidden: resourceVersionMatch "Exact" is forbidden for resourceVersion "0"`);
    }
    return { atRv: rv! };
  }
  return { atRv: current };
}

/** The list's metadata: its resourceVersion, and continue / remainingItemCount when more follows. */
export function listMeta(ctx: ServerContext, atRv: number, page: Page): Record<string, unknown> {
  const meta: Record<string, unknown> = { resourceVersion: String(atRv) };
  if (page.next !== undefined) meta.continue = ctx.tokens.issue({ rv: atRv, start: page.next });
  if (page.remaining !== undefined) meta.remainingItemCount = page.remaining;
  return meta;
}

/** Answers a LIST request. */
export async function serveList(
  ctx: ServerContext,
  res: ServerResponse,
  route: ResourceRoute,
  query: URLSearchParams,
  rep: Representation,
): Promise<void> {
  const point = listPoint(ctx, query);
  const filter = selectorFilter(query);
  const page = readPage(ctx.state.of(route.resource), {
    atRv: point.atRv,
    ...(route.namespace === undefined ? {} : { namespace: route.namespace }),
    ...(point.start === undefined ? {} : { start: point.start }),
    ...(filter === undefined ? {} : { filter }),
    limit: parseCount(query, 'limit') ?? 0,
  });
  if (page === undefined) {
    if (point.start !== undefined) throw expiredContinue(ctx.tokens.issue({ rv: -1, start: point.start }));
    throw new ApiError(410, `The resourceVersion for the provided list is too old.`);
  }
  await sendPage(ctx, res, route, rep, point.atRv, page);
}

/** Writes one page as a list body (its type, metadata and items). */
export async function sendPage(ctx: ServerContext, res: ServerResponse, route: ResourceRoute, rep: Representation, atRv: number, page: Page): Promise<void> {
  const type = listType(rep, route.resource);
  const head = JSON.stringify({ ...type, metadata: listMeta(ctx, atRv, page) }).slice(0, -1);
  const parts = [`${head},"items":[`];
  page.items.forEach((obj, i) => {
    if (i > 0) parts.push(',');
    parts.push(...itemParts(rep, obj));
  });
  parts.push(']}');
  await streamJson(res, parts);
}
