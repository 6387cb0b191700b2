import { BadRequestError, DEFAULT_TICKET_PAGE_SIZE, INVALID_CURSOR, sendJsonText } from '@microtick/common';
import type { Request, Response } from 'express';
import { decodeCursor, encodeCursor, type PageCursor, type TicketSort } from '../listing/page-cursor';

export interface PageRequest {
  limit: number;
  offset?: number;
  after?: PageCursor;
}

/**
 * The page a listing asks for in `sort` order, from its validated `limit`, `offset` and `cursor`
 * (common/src/api/tickets.ts checks their form; the cursor's contents are checked here).
 */
export function pageOf({ limit = DEFAULT_TICKET_PAGE_SIZE, offset, cursor }: { limit?: number; offset?: number; cursor?: string }, sort: TicketSort): PageRequest {
  if (cursor === undefined) return { limit, offset };
  if (offset !== undefined) throw new BadRequestError('Give either offset or cursor, not both', 'offset');
  const after = decodeCursor(cursor);
  if (!after) throw new BadRequestError(INVALID_CURSOR, 'cursor');
  // A cursor remembers a position in one order; in another it would silently skip or repeat rows.
  if (after.sort !== sort) throw new BadRequestError('Cursor is for another sort order; follow the Link header of the previous page', 'cursor');
  return { limit, after };
}

/**
 * Answers one page: `rows` holds up to `limit + 1` rows, the extra one only saying that a next
 * page exists. Then `Link: <path?…&cursor=…>; rel="next"` points after the last row shown.
 */
export function sendPage<Row extends { sortKey: number; ticket: { id: string } }, Json>(
  req: Request,
  res: Response,
  { rows, limit, sort, view }: { rows: Row[]; limit: number; sort: TicketSort; view: (row: Row) => Json },
): void {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  if (rows.length > limit && last) setNextLink(req, res, { sort, key: Number(last.sortKey), id: last.ticket.id });
  res.json(page.map(view));
}

/**
 * Answers a page whose JSON array Postgres wrote (listing/ticket-json.ts): sent as it is, with
 * the headers `res.json` would set (`application/json; charset=utf-8`; the ETag and 304s of
 * `res.send`: common's sendJsonText), and the next page's link when there is one.
 */
export function sendJsonPage(req: Request, res: Response, { json, next, sort }: { json: string; next?: { key: number; id: string }; sort: TicketSort }): void {
  if (next) setNextLink(req, res, { sort, ...next });
  sendJsonText(req, res, json);
}

/**
 * `Link: <path?…&cursor=…>; rel="next"` pointing after `last`, keeping the request's other
 * parameters (RFC 8288; relative to the request's URL).
 */
function setNextLink(req: Request, res: Response, last: PageCursor): void {
  // From the raw query string: the validated values (word lists, numbers) are not what the client sent.
  const params = new URL(req.originalUrl, 'http://request.invalid').searchParams;
  params.delete('cursor');
  params.delete('offset');
  params.set('cursor', encodeCursor(last));
  res.setHeader('Link', `<${req.baseUrl}${req.path}?${params.toString()}>; rel="next"`);
}
