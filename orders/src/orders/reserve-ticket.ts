import { answersInOrder, sqlStatement, type DbExecutor } from '@microtick/common';
import type { OrderRow, TicketRow } from '../db/schema';
import { lockWaitlist, type WaitlistRow } from '../waitlist/waitlist-lock';
import { UNPAID_LIVE } from './order-limits';

/**
 * The buyer's order-limit lock: one account's order creations run one at a time (other users
 * never wait), so the limit's count in the statement after it sees what the previous creation
 * inserted. A statement of its own: a count in the same statement would take its snapshot
 * before the lock wait.
 */
const lockBuyerOrders = sqlStatement<[userId: string]>('orders_lock_buyer_orders', `select pg_advisory_xact_lock(hashtextextended('orders:live:' || $1, 0))`);

/**
 * The buyer's unpaid orders, counted for the live-order limit (`buyer`: the parameter holding
 * the user id). It reads only that buyer's unpaid orders, through `orders_unpaid_by_user_idx`.
 */
export const liveOrderCount = (buyer: string): string =>
  `select count(*) from orders where user_id = ${buyer}::uuid and status in (${UNPAID_LIVE.map((status) => `'${status}'`).join(', ')})`;

/**
 * The ticket, and the order for it inserted only when the ticket exists, is not the buyer's own
 * and the buyer holds fewer than `$4` unpaid orders (no order row: one of the three). The price
 * is the ticket's as this statement reads it, the same row the answer shows. A second live order
 * for the ticket fails the insert on the one-live-order index.
 */
const insertOrderForTicket = sqlStatement<[ticketId: string, userId: string, expiresAt: Date, maxLiveOrders: number], ReservationRow>(
  'orders_insert_order_for_ticket',
  `with ticket as (
     select id, title, price_cents, user_id, version from tickets_replica where id = $1::uuid
   ), placed as (
     insert into orders (user_id, ticket_id, status, price_cents, expires_at)
     select $2::uuid, ticket.id, 'created', ticket.price_cents, $3::timestamptz from ticket
     where ticket.user_id <> $2::uuid
       and (${liveOrderCount('$2')}) < $4::int
     returning id, user_id, status, price_cents, expires_at, version, created_at
   )
   select ticket.id, ticket.title, ticket.price_cents, ticket.user_id, ticket.version,
          placed.id as order_id, placed.user_id as order_user_id, placed.status as order_status, placed.price_cents as order_price_cents,
          placed.expires_at as order_expires_at, placed.version as order_version, placed.created_at as order_created_at
   from ticket left join placed on true`,
);

/** The ticket's columns, then the order's (all null when no order was inserted), as pg parses them. */
type ReservationRow = {
  id: string;
  title: string;
  price_cents: number;
  user_id: string;
  version: number;
} & (
  | { order_id: string; order_user_id: string; order_status: OrderRow['status']; order_price_cents: number; order_expires_at: Date; order_version: number; order_created_at: Date }
  | { order_id: null }
);

export interface Reservation {
  /** Undefined: no such ticket. */
  ticket: TicketRow | undefined;
  /** Undefined: no ticket, the buyer's own ticket, or the buyer is at the live-order limit. */
  order: OrderRow | undefined;
  /** The ticket's waiting list, locked (undefined: nobody ever joined it). */
  waitlist: WaitlistRow | undefined;
}

/**
 * The order transaction's first three statements, written together with its BEGIN and answered
 * in one round trip (pipelinedTransaction: statements started before the first await leave in
 * one write). They still run one after the other in Postgres, each with a snapshot taken when
 * the one before has finished, so each sees what it saw when they were awaited one by one:
 *
 *  1. the buyer's order-limit lock;
 *  2. the ticket and the conditional order insert (its count follows the lock);
 *  3. the ticket's waiting-list lock, after the insert: the insert waits on the one-live-order
 *     index for a transaction still ending the previous reservation, and only then is the waiting
 *     list locked and, by the caller, its offer read (docs/waitlist.md).
 *
 * When the insert wrote nothing or failed, the waiting-list lock was taken (or failed) for
 * nothing; the caller rolls the transaction back either way. The first failure is thrown
 * (answersInOrder).
 */
export async function reserveTicket(tx: DbExecutor, request: { ticketId: string; userId: string; expiresAt: Date; maxLiveOrders: number }): Promise<Reservation> {
  const { ticketId, userId, expiresAt, maxLiveOrders } = request;
  const [, inserted, waitlist] = await answersInOrder([
    lockBuyerOrders.execute(tx, [userId]),
    insertOrderForTicket.execute(tx, [ticketId, userId, expiresAt, maxLiveOrders]),
    lockWaitlist(tx, ticketId),
  ]);
  const row = inserted.rows[0];
  if (!row) return { ticket: undefined, order: undefined, waitlist };
  const ticket: TicketRow = { id: row.id, title: row.title, priceCents: row.price_cents, userId: row.user_id, version: row.version };
  return { ticket, order: orderOf(row), waitlist };
}

function orderOf(row: ReservationRow): OrderRow | undefined {
  if (row.order_id === null) return undefined;
  return {
    id: row.order_id,
    userId: row.order_user_id,
    ticketId: row.id,
    status: row.order_status,
    priceCents: row.order_price_cents,
    expiresAt: row.order_expires_at,
    version: row.order_version,
    createdAt: row.order_created_at,
  };
}
