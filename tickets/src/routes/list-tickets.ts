import { validateRequest } from '@microtick/common';
import { Router } from 'express';
import { matchedData, query } from 'express-validator';
import { availableTickets } from '../tickets/available-tickets';
import { ticketView } from '../tickets/ticket-view';
import type { RouteDeps } from './route-deps';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;
/** Deeper than anyone pages by hand; past it, offset paging is the wrong tool anyway. */
const MAX_OFFSET = 1_000_000;

/** An optional integer query parameter; a repeated one (?limit=1&limit=2) arrives as an array, hence isString. */
const integerParam = (name: 'limit' | 'offset', min: number, max: number) => {
  const message = `${name[0]!.toUpperCase()}${name.slice(1)} must be an integer from ${min} to ${max}`;
  return query(name).optional().isString().withMessage(message).bail().isInt({ min, max }).withMessage(message).toInt();
};
const pageRules = [integerParam('limit', 1, MAX_PAGE_SIZE), integerParam('offset', 0, MAX_OFFSET)];

/** GET /api/tickets: the tickets that are for sale (not reserved), newest first, one page. */
export function listTicketsRouter({ db }: RouteDeps): Router {
  const router = Router();
  router.get('/api/tickets', ...pageRules, validateRequest, async (req, res) => {
    const { limit = DEFAULT_PAGE_SIZE, offset = 0 } = matchedData<{ limit?: number; offset?: number }>(req, { locations: ['query'] });
    const page = await availableTickets(db, { limit, offset });
    res.json(page.map(ticketView));
  });
  return router;
}
