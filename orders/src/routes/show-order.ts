import { Router } from 'express';
import { requireAuth, userOf } from '@microtick/common';
import type { OrdersDb } from '../db/schema';
import { toOrderJson } from '../orders/order-view';
import { findOwnedOrder } from '../orders/owned-order';

/** `GET /api/orders/:id`: one of the caller's orders. */
export function showOrderRouter({ db }: { db: OrdersDb }): Router {
  const router = Router();
  router.get('/api/orders/:id', requireAuth, async (req, res) => {
    res.json(toOrderJson(await findOwnedOrder(db, req.params.id, userOf(req))));
  });
  return router;
}
