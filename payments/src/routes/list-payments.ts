import { fromCents, isUuid, NotAuthorizedError, NotFoundError, paymentRoutes, requireAuth, userOf, validate, validated } from '@microtick/common';
import { asc, eq } from 'drizzle-orm';
import { Router } from 'express';
import type { PaymentsDb } from '../db/schema';
import { ordersReplica, payments } from '../db/schema';

/**
 * GET /api/payments?orderId=…: the order's payments, oldest first, for its owner, so a reloaded
 * page can tell "confirming" (authorized) and "voided, not charged" from a plain expiry.
 */
export function listPaymentsRouter({ db }: { db: PaymentsDb }): Router {
  const router = Router();
  router.get(paymentRoutes.list.path, requireAuth, validate(paymentRoutes.list.request), async (req, res) => {
    const { orderId } = validated(req, paymentRoutes.list.request).query;
    if (!isUuid(orderId)) throw new NotFoundError('Order not found');
    const [order] = await db.select({ userId: ordersReplica.userId }).from(ordersReplica).where(eq(ordersReplica.id, orderId));
    if (!order) throw new NotFoundError('Order not found');
    if (order.userId !== userOf(req).id) throw new NotAuthorizedError();
    const rows = await db.select().from(payments).where(eq(payments.orderId, orderId)).orderBy(asc(payments.createdAt), asc(payments.id));
    res.json(rows.map((p) => ({ id: p.id, orderId: p.orderId, stripeId: p.stripeId, amount: fromCents(p.amountCents), status: p.status })));
  });
  return router;
}
