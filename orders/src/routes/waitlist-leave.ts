import { Router } from 'express';
import { isUuid, NotFoundError, requireAuth, userOf, waitlistRoutes } from '@microtick/common';
import type { OrdersDb } from '../db/schema';
import { leaveWaitlist } from '../waitlist/offers';

/**
 * `DELETE /api/orders/waitlist/:ticketId` → 204: leave the ticket's line (or forget a finished
 * entry). Leaving during one's offer passes it to the next in line. Not on that list → 404.
 */
export function leaveWaitlistRouter({ db }: { db: OrdersDb }): Router {
  const router = Router();
  router.delete(waitlistRoutes.leave.path, requireAuth, async (req, res) => {
    const { ticketId } = req.params;
    const left = isUuid(ticketId) && (await db.transaction((tx) => leaveWaitlist(tx, ticketId, userOf(req).id)));
    if (!left) throw new NotFoundError('You are not on the waiting list for this ticket');
    res.status(204).end();
  });
  return router;
}
