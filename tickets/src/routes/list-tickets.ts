import { ticketRoutes, toCents, validate, validated } from '@microtick/common';
import { Router } from 'express';
import { listTicketPage } from '../listing/ticket-query';
import { pageOf, sendJsonPage } from './paging';
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
    const { json, next } = await listTicketPage(db, {
      words,
      minPriceCents: minPrice === undefined ? undefined : toCents(minPrice),
      maxPriceCents: maxPrice === undefined ? undefined : toCents(maxPrice),
      sort,
      ...page,
    });
    // The tickets as ticketView shows them, written by Postgres (listing/ticket-json.ts).
    sendJsonPage(req, res, { json, next, sort });
  });
  return router;
}
