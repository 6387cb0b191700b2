import { Router } from 'express';
import { BadRequestError, requireAuth, userOf } from '@microtick/common';
import type { OrdersDb } from '../db/schema';
import { cancelOrder } from '../orders/transitions';
import { findOwnedOrder } from '../orders/owned-order';

/**
 * `DELETE /api/orders/:id`: the buyer gives up an unpaid reservation. Cancelling an already
 * cancelled order succeeds again without publishing anything; a paid order cannot be cancelled.
 */
export function cancelOrderRouter({ db }: { db: OrdersDb }): Router {
  const router = Router();
  router.delete('/api/orders/:id', requireAuth, async (req, res) => {
    const user = userOf(req);
    const outcome = await db.transaction(async (tx) => {
      const { order } = await findOwnedOrder(tx, req.params.id, user);
      return cancelOrder(tx, order);
    });
    if (outcome.order.status === 'complete') throw new BadRequestError('A completed order cannot be cancelled');
    res.status(204).end();
  });
  return router;
}
