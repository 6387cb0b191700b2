import type { KeyObject } from 'node:crypto';
import { Router } from 'express';
import { BadRequestError, orderRoutes, requireAuth, signTicketCode, userOf, validate } from '@microtick/common';
import type { OrdersDb } from '../db/schema';
import { qrSvgOf } from '../ticket-codes/ticket-code-qr';
import { findOwnedOrder } from '../orders/owned-order';

/**
 * `GET /api/orders/:id/ticket`: the code a buyer shows at the door, for one of their complete
 * orders, as text and as a QR code. Signed with orders' private key (see common's
 * ticket-codes), so the seller's check-in can trust it without asking orders.
 */
export function showOrderTicketRouter({ db, ticketCodeKey }: { db: OrdersDb; ticketCodeKey: KeyObject }): Router {
  const router = Router();
  router.get(orderRoutes.ticket.path, requireAuth, validate(orderRoutes.ticket.request), async (req, res) => {
    const { order } = await findOwnedOrder(db, req.params.id, userOf(req));
    if (order.status !== 'complete') throw new BadRequestError('Only a paid (complete) order has a ticket code');
    const code = signTicketCode(ticketCodeKey, { orderId: order.id, ticketId: order.ticketId });
    // The code gets its holder in at the door: no shared cache may keep it.
    res.set('Cache-Control', 'no-store');
    res.json({ code, qrSvg: await qrSvgOf(code) });
  });
  return router;
}
