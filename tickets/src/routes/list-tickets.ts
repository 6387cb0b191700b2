import { validateRequest } from '@microtick/common';
import { Router } from 'express';
import { matchedData, query } from 'express-validator';
import { availableTickets } from '../tickets/available-tickets';
import { ticketView } from '../tickets/ticket-view';
import type { RouteDeps } from './route-deps';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;
/** Deeper than anyone pages by hand; past it, offset paging is the wrong tool anyway. */
export const MAX_OFFSET = 1_000_000;

// isString first: a repeated parameter (?limit=1&limit=2) arrives as an array.
const pageRules = [
  query('limit')
    .optional()
    .isString().bail()
    .isInt({ min: 1, max: MAX_PAGE_SIZE }).withMessage(`Limit must be an integer from 1 to ${MAX_PAGE_SIZE}`)
    .toInt(),
  query('offset')
    .optional()
    .isString().bail()
    .isInt({ min: 0, max: MAX_OFFSET }).withMessage(`Offset must be an integer from 0 to ${MAX_OFFSET}`)
    .toInt(),
];

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
