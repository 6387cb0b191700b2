import { Router } from 'express';
import { addToOutbox, BadRequestError, fromCents, isUniqueViolation, isUuid, NotFoundError, orderRoutes, requireAuth, userOf, validate, validated, type Logger } from '@microtick/common';
import { liveOrderLimitReached, orderRateLimiter, type OrderLimits } from '../orders/order-limits';
import { ONE_LIVE_ORDER_PER_TICKET, type OrdersDb } from '../db/schema';
import { expiresAtFor } from '../orders/expiry';
import { reserveTicket } from '../orders/reserve-ticket';
import { claimTicketOffer } from '../waitlist/offers';
import { toOrderJson } from '../orders/order-view';

export interface CreateOrderDeps {
  db: OrdersDb;
  expirationWindowSeconds: number;
  now: () => Date;
  limits: OrderLimits;
  logger: Logger;
}

/**
 * `POST /api/orders {ticketId}` reserves a ticket until `expiresAt` and stages `order:created`
 * in the same transaction. Two buyers racing for one ticket are settled by the partial unique
 * index on live orders: the loser's insert fails and is answered "already reserved".
 */
export function createOrderRouter({ db, expirationWindowSeconds, now, limits, logger }: CreateOrderDeps): Router {
  const router = Router();
  router.post(
    orderRoutes.create.path,
    requireAuth,
    orderRateLimiter(limits, logger),
    validate(orderRoutes.create.request),
    async (req, res) => {
      const user = userOf(req);
      const { ticketId } = validated(req, orderRoutes.create.request).body;
      if (!isUuid(ticketId)) throw new NotFoundError('Ticket not found');
      const expiresAt = expiresAtFor(now(), expirationWindowSeconds);

      try {
        const view = await db.transaction(async (tx) => {
          // One round trip with BEGIN: the buyer's lock, the ticket and the insert, the waiting-list lock.
          const { ticket, order, waitlist } = await reserveTicket(tx, { ticketId, userId: user.id, expiresAt, maxLiveOrders: limits.maxLiveOrders });
          if (!ticket) throw new NotFoundError('Ticket not found');
          if (ticket.userId === user.id) throw new BadRequestError('You cannot buy your own ticket');
          if (!order) throw liveOrderLimitReached(limits.maxLiveOrders);
          // Locked after the insert, never before: see claimTicketOffer (docs/waitlist.md).
          if (waitlist) await claimTicketOffer(tx, waitlist, user.id);
          await addToOutbox(tx, 'order:created', {
            id: order.id,
            version: order.version,
            status: order.status,
            userId: order.userId,
            expiresAt: order.expiresAt.toISOString(),
            ticket: { id: ticket.id, price: fromCents(order.priceCents) },
          });
          return { order, ticket };
        });
        res.status(201).json(toOrderJson(view));
      } catch (err) {
        if (isUniqueViolation(err, ONE_LIVE_ORDER_PER_TICKET)) throw new BadRequestError('Ticket is already reserved');
        throw err;
      }
    },
  );
  return router;
}
