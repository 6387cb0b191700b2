import { desc, eq } from 'drizzle-orm';
import { Router } from 'express';
import { requireAuth, userOf } from '@microtick/common';
import { orders, type OrdersDb } from '../db/schema';
import { selectOrderViews, toOrderJson } from '../orders/order-view';

/** `GET /api/orders`: the caller's orders, newest first. */
export function listOrdersRouter({ db }: { db: OrdersDb }): Router {
  const router = Router();
  router.get('/api/orders', requireAuth, async (req, res) => {
    const user = userOf(req);
    const views = await selectOrderViews(db).where(eq(orders.userId, user.id)).orderBy(desc(orders.createdAt), desc(orders.id));
    res.json(views.map(toOrderJson));
  });
  return router;
}
