import { DEFAULT_TICKET_PAGE_SIZE, ticketRoutes, validate, validated } from '@microtick/common';
import { Router } from 'express';
import { availableTickets } from '../tickets/available-tickets';
import { ticketView } from '../tickets/ticket-view';
import type { RouteDeps } from './route-deps';

/** GET /api/tickets: the tickets that are for sale (not reserved), newest first, one page. */
export function listTicketsRouter({ db }: RouteDeps): Router {
  const router = Router();
  // ?limit= and ?offset=: common/src/api/tickets.ts
  router.get(ticketRoutes.list.path, validate(ticketRoutes.list.request), async (req, res) => {
    const { limit = DEFAULT_TICKET_PAGE_SIZE, offset = 0 } = validated(req, ticketRoutes.list.request).query;
    const page = await availableTickets(db, { limit, offset });
    res.json(page.map(ticketView));
  });
  return router;
}
