import { eq } from 'drizzle-orm';
import { fromCents, type DbExecutor } from '@microtick/common';
import type { Order } from '@microtick/common/api';
import { orders, ticketsReplica, type OrderRow, type TicketRow } from '../db/schema';

export interface OrderView {
  order: OrderRow;
  ticket: TicketRow;
}

/** Orders joined with the ticket each one reserves; callers add the filter and ordering. */
export const selectOrderViews = (db: DbExecutor) =>
  db.select({ order: orders, ticket: ticketsReplica }).from(orders).innerJoin(ticketsReplica, eq(orders.ticketId, ticketsReplica.id));

/**
 * The API's order (common/src/api/orders.ts): `{id, userId, status, expiresAt, version, ticket:
 * {id, title, price}}`, where `ticket.price` is the price at order time (SPEC §6), not the ticket's price now.
 */
export const toOrderJson = ({ order, ticket }: OrderView): Order => ({
  id: order.id,
  userId: order.userId,
  status: order.status,
  expiresAt: order.expiresAt.toISOString(),
  version: order.version,
  ticket: { id: ticket.id, title: ticket.title, price: fromCents(order.priceCents) },
});
