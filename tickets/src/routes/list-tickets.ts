import { BadRequestError, toCents, validateRequest } from '@microtick/common';
import { Router } from 'express';
import { matchedData, query } from 'express-validator';
import { TICKET_SORTS, type TicketSort } from '../listing/page-cursor';
import { queryTickets } from '../listing/ticket-query';
import { ticketView } from '../tickets/ticket-view';
import { pageOf, pageRules, sendPage } from './paging';
import type { RouteDeps } from './route-deps';

const MAX_QUERY_LENGTH = 100;
/** Each word is one more condition; a dozen is more than any search box sees. */
const MAX_QUERY_WORDS = 12;
const MAX_PRICE = 1_000_000;

const priceParam = (name: 'minPrice' | 'maxPrice') => {
  const message = `${name === 'minPrice' ? 'Minimum' : 'Maximum'} price must be an amount from 0 to ${MAX_PRICE} with at most 2 decimals`;
  return query(name)
    .optional()
    .isString().withMessage(message).bail()
    .matches(/^\d{1,7}(\.\d{1,2})?$/).withMessage(message).bail()
    .custom((value: string) => Number(value) <= MAX_PRICE).withMessage(message)
    .customSanitizer((value: string) => toCents(Number(value)));
};

const searchRules = [
  query('q')
    .optional()
    .isString().withMessage('Search must be text').bail()
    .isLength({ max: MAX_QUERY_LENGTH }).withMessage(`Search must be at most ${MAX_QUERY_LENGTH} characters`).bail()
    .matches(/^\P{Cc}*$/u).withMessage('Search must not contain control characters')
    .customSanitizer((value: string) => value.split(/\s+/u).filter(Boolean))
    .custom((words: string[]) => words.length <= MAX_QUERY_WORDS).withMessage(`Search must have at most ${MAX_QUERY_WORDS} words`),
  priceParam('minPrice'),
  priceParam('maxPrice'),
  query('sort')
    .optional()
    .isString().withMessage(`Sort must be one of ${TICKET_SORTS.join(', ')}`).bail()
    .isIn(TICKET_SORTS).withMessage(`Sort must be one of ${TICKET_SORTS.join(', ')}`),
];

interface Search {
  q?: string[];
  minPrice?: number;
  maxPrice?: number;
  sort?: TicketSort;
}

/**
 * GET /api/tickets: the tickets for sale (not reserved), optionally searched by title words and
 * filtered by price, newest first or by price, one page at a time (offset for the first pages,
 * the `Link` header's cursor beyond).
 */
export function listTicketsRouter({ db }: RouteDeps): Router {
  const router = Router();
  router.get('/api/tickets', ...searchRules, ...pageRules, validateRequest, async (req, res) => {
    const { q: words, minPrice, maxPrice, sort = 'newest' } = matchedData<Search>(req, { locations: ['query'] });
    if (minPrice !== undefined && maxPrice !== undefined && minPrice > maxPrice) {
      throw new BadRequestError('Minimum price must not be above the maximum price', 'minPrice');
    }
    const page = pageOf(req, sort);
    const rows = await queryTickets(db, { words, minPriceCents: minPrice, maxPriceCents: maxPrice, sort, ...page, limit: page.limit + 1 });
    sendPage(req, res, { rows, limit: page.limit, sort, view: (row) => ticketView(row.ticket) });
  });
  return router;
}
