import { BadRequestError } from '@microtick/common';
import type { Request, Response } from 'express';
import { matchedData, query } from 'express-validator';
import { decodeCursor, encodeCursor, type PageCursor, type TicketSort } from '../listing/page-cursor';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;
/**
 * Offset paging reads and throws away every skipped row, so it is only for the first pages a
 * person clicks through; deeper than this, follow the cursor in the `Link` header.
 */
export const MAX_OFFSET = 10_000;

/** A query parameter given once; a repeated one (?limit=1&limit=2) arrives as an array, hence isString. */
const single = (name: string, message: string) => query(name).optional().isString().withMessage(message).bail();

const integerParam = (name: 'limit' | 'offset', min: number, max: number) => {
  const message = `${name[0]!.toUpperCase()}${name.slice(1)} must be an integer from ${min} to ${max}`;
  return single(name, message).isInt({ min, max }).withMessage(message).toInt();
};

/** `limit`, `offset` and `cursor`, for every listing route. */
export const pageRules = [
  integerParam('limit', 1, MAX_PAGE_SIZE),
  integerParam('offset', 0, MAX_OFFSET),
  single('cursor', 'Cursor is invalid; follow the Link header of the previous page')
    .custom((raw: string) => decodeCursor(raw) !== undefined)
    .withMessage('Cursor is invalid; follow the Link header of the previous page')
    .customSanitizer((raw: string) => decodeCursor(raw)),
];

export interface PageRequest {
  limit: number;
  offset?: number;
  after?: PageCursor;
}

/** The validated page of a request listing in `sort` order; call after `pageRules` and `validateRequest`. */
export function pageOf(req: Request, sort: TicketSort): PageRequest {
  const { limit = DEFAULT_PAGE_SIZE, offset, cursor } = matchedData<{ limit?: number; offset?: number; cursor?: PageCursor }>(req, {
    locations: ['query'],
  });
  if (cursor && offset !== undefined) throw new BadRequestError('Give either offset or cursor, not both', 'offset');
  // A cursor remembers a position in one order; in another it would silently skip or repeat rows.
  if (cursor && cursor.sort !== sort) throw new BadRequestError('Cursor is for another sort order; follow the Link header of the previous page', 'cursor');
  return { limit, offset, after: cursor };
}

/**
 * Answers one page: `rows` holds up to `limit + 1` rows, the extra one only saying that a next
 * page exists. Then `Link: <path?…&cursor=…>; rel="next"` points after the last row shown,
 * keeping the request's other parameters (RFC 8288; relative to the request's URL).
 */
export function sendPage<Row extends { sortKey: number; ticket: { id: string } }, Json>(
  req: Request,
  res: Response,
  { rows, limit, sort, view }: { rows: Row[]; limit: number; sort: TicketSort; view: (row: Row) => Json },
): void {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  if (rows.length > limit && last) {
    // From the raw query string: the validators' sanitised values (cents, word lists) are not what the client sent.
    const params = new URL(req.originalUrl, 'http://request.invalid').searchParams;
    params.delete('cursor');
    params.delete('offset');
    params.set('cursor', encodeCursor({ sort, key: Number(last.sortKey), id: last.ticket.id }));
    res.set('Link', `<${req.baseUrl}${req.path}?${params.toString()}>; rel="next"`);
  }
  res.json(page.map(view));
}
