import { jsonBodyOf, ticketRoutes, toCents, validate, validated } from '@microtick/common';
import { Router } from 'express';
import type { CachedPage } from '../listing/listing-cache';
import { listTicketPage, type TicketQuery } from '../listing/ticket-query';
import { pageOf, sendJsonPage } from './paging';
import type { RouteDeps } from './route-deps';

const route = ticketRoutes.list;

/**
 * GET /api/tickets: the tickets for sale (not reserved), optionally searched by title words and
 * filtered by price, newest first or by price, one page at a time (offset for the first pages,
 * the `Link` header's cursor beyond). The parameters are described and checked in
 * common/src/api/tickets.ts. The public listing's first pages come from the listing cache while
 * no ticket has changed (listing/listing-cache.ts, docs/listing-cache.md).
 */
export function listTicketsRouter({ db, listingCache }: RouteDeps): Router {
  const router = Router();
  router.get(route.path, validate(route.request), async (req, res) => {
    const { q: words, minPrice, maxPrice, sort = 'newest', ...paging } = validated(req, route.request).query;
    const query: TicketQuery = {
      words,
      minPriceCents: minPrice === undefined ? undefined : toCents(minPrice),
      maxPriceCents: maxPrice === undefined ? undefined : toCents(maxPrice),
      sort,
      ...pageOf(paging, sort),
    };
    const key = listingCache?.keyOf(query);
    const cached = key === undefined ? undefined : listingCache?.get(key);
    if (cached) {
      sendJsonPage(req, res, cached, sort);
      return;
    }
    // Taken before the query: a ticket that changes while it runs keeps its answer out of the cache.
    const generation = listingCache?.currentGeneration();
    const { json, next } = await listTicketPage(db, query);
    // The tickets as ticketView shows them, written by Postgres (listing/ticket-json.ts).
    const page: CachedPage = { answer: jsonBodyOf(req.app, json), next };
    if (key !== undefined) listingCache?.set(key, generation, page);
    sendJsonPage(req, res, page, sort);
  });
  return router;
}
