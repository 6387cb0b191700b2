import { Router } from 'express';
import { requireAuth, userOf, waitlistRoutes } from '@microtick/common';
import type { OrdersDb } from '../db/schema';
import { listWaitlistEntries } from '../waitlist/entries';

/** `GET /api/orders/waitlist`: the caller's waiting-list entries, newest first. */
export function listWaitlistRouter({ db }: { db: OrdersDb }): Router {
  const router = Router();
  router.get(waitlistRoutes.list.path, requireAuth, async (req, res) => {
    res.json(await listWaitlistEntries(db, userOf(req).id));
  });
  return router;
}
