import { BadRequestError, DEFAULT_TICKET_PAGE_SIZE, INVALID_CURSOR, sendJsonBody } from '@microtick/common';
import type { Request, Response } from 'express';
import type { CachedPage } from '../listing/listing-cache';
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
 * Answers a page whose JSON array Postgres wrote (listing/ticket-json.ts), encoded and its ETag
 * computed (jsonBodyOf; once per page the listing cache keeps): sent as it is, with the headers
 * `res.json` would set (`application/json; charset=utf-8`; the ETag and 304s of `res.send`:
 * common's sendJsonBody), and the next page's link when there is one. The link is built from the
 * request's URL; a cached page keeps the last one it built, for the next request with that URL.
 */
export function sendJsonPage(req: Request, res: Response, page: CachedPage, sort: TicketSort): void {
  if (page.next) {
    if (page.link?.url !== req.originalUrl) page.link = { url: req.originalUrl, header: nextLinkOf(req, { sort, ...page.next }) };
    res.setHeader('Link', page.link.header);
  }
  sendJsonBody(req, res, page.answer);
}

/**
 * `Link: <path?…&cursor=…>; rel="next"` pointing after `last`, keeping the request's other
 * parameters (RFC 8288; relative to the request's URL).
 */
function setNextLink(req: Request, res: Response, last: PageCursor): void {
  res.setHeader('Link', nextLinkOf(req, last));
}

function nextLinkOf(req: Request, last: PageCursor): string {
  // From the raw query string: the validated values (word lists, numbers) are not what the client sent.
  const params = new URL(req.originalUrl, 'http://request.invalid').searchParams;
  params.delete('cursor');
  params.delete('offset');
  params.set('cursor', encodeCursor(last));
  return `<${req.baseUrl}${req.path}?${params.toString()}>; rel="next"`;
}
