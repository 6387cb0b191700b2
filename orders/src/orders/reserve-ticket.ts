import { sqlStatement, type DbExecutor } from '@microtick/common';
import type { OrderRow, TicketRow } from '../db/schema';
import type { WaitlistRow } from '../waitlist/waitlist-lock';
import { UNPAID_LIVE } from './order-limits';

/**
 * The buyer's unpaid orders, counted for the live-order limit (`buyer`: the parameter holding
 * the user id). It reads only that buyer's unpaid orders, through `orders_unpaid_by_user_idx`.
 * orders_reserve_ticket (migration 0007) runs this count; order-limits.test.ts checks its plan.
 */
export const liveOrderCount = (buyer: string): string =>
  `select count(*) from orders where user_id = ${buyer}::uuid and status in (${UNPAID_LIVE.map((status) => `'${status}'`).join(', ')})`;

/**
 * Postgres' orders_reserve_ticket (migration 0007, where its three statements are explained):
 * the buyer's order-limit lock; the ticket and the order inserted only when the ticket exists,
 * is not the buyer's own and the buyer holds fewer than `$4` unpaid orders; the ticket's
 * waiting-list lock. Each runs with a snapshot taken after the one before has finished, as
 * three statements sent one by one would, but the client sends and parses one.
 */
const reserveTicketStatement = sqlStatement<[ticketId: string, userId: string, expiresAt: Date, maxLiveOrders: number], ReservationRow>(
  'orders_reserve_ticket',
  'select * from orders_reserve_ticket($1, $2, $3, $4)',
);

/** The ticket's columns, the order's, the waiting list's, as pg parses them; null where there is none. */
type ReservationRow = (
  | { id: string; title: string; price_cents: number; user_id: string; version: number }
  | { id: null }
) &
  (
    | { order_id: string; order_user_id: string; order_status: OrderRow['status']; order_price_cents: number; order_expires_at: Date; order_version: number; order_created_at: Date }
    | { order_id: null }
  ) &
  ({ waitlist_ticket_id: string; waitlist_version: number; waitlist_offer_window_seconds: number } | { waitlist_ticket_id: null });

export interface Reservation {
  /** Undefined: no such ticket. */
  ticket: TicketRow | undefined;
  /** Undefined: no ticket, the buyer's own ticket, or the buyer is at the live-order limit. */
  order: OrderRow | undefined;
  /** The ticket's waiting list, locked (undefined: nobody ever joined it). */
  waitlist: WaitlistRow | undefined;
}

/**
 * The order transaction's first statement, written together with its BEGIN and answered in
 * one round trip (pipelinedTransaction): orders_reserve_ticket, whose three statements run one
 * after the other in Postgres, each seeing what it saw when they were sent one by one:
 *
 *  1. the buyer's order-limit lock;
 *  2. the ticket and the conditional order insert (its count follows the lock);
 *  3. the ticket's waiting-list lock, after the insert: the insert waits on the one-live-order
 *     index for a transaction still ending the previous reservation, and only then is the waiting
 *     list locked and, by the caller, its offer read (docs/waitlist.md).
 *
 * When the insert wrote nothing, the waiting-list lock was taken for nothing; the caller rolls
 * the transaction back. When the insert fails (the one-live-order index), the statement fails
 * with the insert's error.
 */
export async function reserveTicket(tx: DbExecutor, request: { ticketId: string; userId: string; expiresAt: Date; maxLiveOrders: number }): Promise<Reservation> {
  const { ticketId, userId, expiresAt, maxLiveOrders } = request;
  const { rows } = await reserveTicketStatement.execute(tx, [ticketId, userId, expiresAt, maxLiveOrders]);
  const row = rows[0];
  if (!row) throw new Error('orders_reserve_ticket answered no row');
  const waitlist = row.waitlist_ticket_id === null ? undefined : { ticketId: row.waitlist_ticket_id, version: row.waitlist_version, offerWindowSeconds: row.waitlist_offer_window_seconds };
  if (row.id === null) return { ticket: undefined, order: undefined, waitlist };
  const ticket: TicketRow = { id: row.id, title: row.title, priceCents: row.price_cents, userId: row.user_id, version: row.version };
  return { ticket, order: orderOf(row.id, row), waitlist };
}

function orderOf(ticketId: string, row: ReservationRow): OrderRow | undefined {
  if (row.order_id === null) return undefined;
  return {
    id: row.order_id,
    userId: row.order_user_id,
    ticketId,
    status: row.order_status,
    priceCents: row.order_price_cents,
    expiresAt: row.order_expires_at,
    version: row.order_version,
    createdAt: row.order_created_at,
  };
}
