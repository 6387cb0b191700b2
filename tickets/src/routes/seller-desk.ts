import { requireAuth, ticketRoutes, userOf, validate, validated } from '@microtick/common';
import { Router } from 'express';
import { sellerSummary, sellerTicketView, sellerTickets } from '../listing/seller-desk';
import { pageOf, sendPage } from './paging';
import type { RouteDeps } from './route-deps';

const { mine, mineSummary } = ticketRoutes;

/**
 * The seller's desk:
 * - GET /api/tickets/mine: the caller's tickets, newest first, each with `status`
 *   (available | reserved | sold) and `checkedInAt`; paged like the public listing.
 * - GET /api/tickets/mine/summary: `{available, reserved, sold, soldTotal}` over all of them.
 */
export function sellerDeskRouter({ db }: RouteDeps): Router {
  const router = Router();
  router.get(mine.path, requireAuth, validate(mine.request), async (req, res) => {
    const page = pageOf(validated(req, mine.request).query, 'newest');
    const rows = await sellerTickets(db, userOf(req).id, { ...page, limit: page.limit + 1 });
    sendPage(req, res, { rows, limit: page.limit, sort: 'newest', view: sellerTicketView });
  });
  router.get(mineSummary.path, requireAuth, async (req, res) => {
    res.json(await sellerSummary(db, userOf(req).id));
  });
  return router;
}
