import { eq, getTableColumns, sql } from 'drizzle-orm';
import { Router } from 'express';
import { addToOutbox, BadRequestError, fromCents, isUniqueViolation, isUuid, NotFoundError, orderRoutes, preparedStatement, requireAuth, userOf, validate, validated, type Logger, type Params } from '@microtick/common';
import { liveOrderLimitReached, lockUserOrders, orderRateLimiter, underLiveOrderLimit, type OrderLimits } from '../orders/order-limits';
import { ONE_LIVE_ORDER_PER_TICKET, orders, ticketsReplica as tickets, type OrdersDb } from '../db/schema';
import { expiresAtFor } from '../orders/expiry';
import { claimTicketOffer } from '../waitlist/offers';
import { toOrderJson } from '../orders/order-view';

// The order transaction's statements, built once (common's preparedStatement).
// The ticket, read while taking the buyer's order-limit lock (the limit's count follows, in the insert).
const ticketLockingBuyer = preparedStatement('orders_ticket_locking_buyer', (db, p: Params<{ id: string; userId: string }>) =>
  db
    .select({ ...getTableColumns(tickets), buyerLocked: lockUserOrders(p('userId')) })
    .from(tickets)
    .where(eq(tickets.id, p('id'))),
);
// The order, inserted only while the buyer is under the live-order limit (no row: the limit is
// reached). An INSERT … SELECT names every column in the table's order, so the defaults of id,
// version and created_at are written out here.
const insertOrderUnderLimit = preparedStatement(
  'orders_insert_under_limit',
  (db, p: Params<{ userId: string; ticketId: string; priceCents: number; expiresAt: Date; maxLiveOrders: number }>) =>
    db
      .insert(orders)
      .select(
        sql`select gen_random_uuid(), ${p('userId')}::uuid, ${p('ticketId')}::uuid, 'created', ${p('priceCents')}::bigint, ${p('expiresAt')}::timestamptz, 0, now()
            where ${underLiveOrderLimit(p('userId'), sql`${p('maxLiveOrders')}::int`)}`,
      )
      .returning(),
);

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
          const [ticket] = await ticketLockingBuyer.execute(tx, { id: ticketId, userId: user.id });
          if (!ticket) throw new NotFoundError('Ticket not found');
          if (ticket.userId === user.id) throw new BadRequestError('You cannot buy your own ticket');
          const [order] = await insertOrderUnderLimit.execute(tx, { userId: user.id, ticketId, priceCents: ticket.priceCents, expiresAt, maxLiveOrders: limits.maxLiveOrders });
          if (!order) throw liveOrderLimitReached(limits.maxLiveOrders);
          // After the insert, never before: see claimTicketOffer (docs/waitlist.md).
          await claimTicketOffer(tx, ticketId, user.id);
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
