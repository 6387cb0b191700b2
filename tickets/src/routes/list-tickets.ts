import { ticketRoutes, toCents, validate, validated } from '@microtick/common';
import { Router } from 'express';
import { listTickets } from '../listing/ticket-query';
import { ticketView } from '../tickets/ticket-view';
import { pageOf, sendPage } from './paging';
import type { RouteDeps } from './route-deps';

const route = ticketRoutes.list;

/**
 * GET /api/tickets: the tickets for sale (not reserved), optionally searched by title words and
 * filtered by price, newest first or by price, one page at a time (offset for the first pages,
 * the `Link` header's cursor beyond). The parameters are described and checked in
 * common/src/api/tickets.ts.
 */
export function listTicketsRouter({ db }: RouteDeps): Router {
  const router = Router();
  router.get(route.path, validate(route.request), async (req, res) => {
    const { q: words, minPrice, maxPrice, sort = 'newest', ...paging } = validated(req, route.request).query;
    const page = pageOf(paging, sort);
    const rows = await listTickets(db, {
      words,
      minPriceCents: minPrice === undefined ? undefined : toCents(minPrice),
      maxPriceCents: maxPrice === undefined ? undefined : toCents(maxPrice),
      sort,
      ...page,
      limit: page.limit + 1,
    });
    sendPage(req, res, { rows, limit: page.limit, sort, view: (row) => ticketView(row.ticket) });
  });
  return router;
}
