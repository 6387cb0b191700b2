import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { bigint, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { OrderStatus } from '@microtick/common';

/**
 * The replica of the tickets service's tickets, fed by `ticket:created` / `ticket:updated` and
 * applied strictly in version order (common's versionedReplica). Whether a ticket is reserved is
 * decided by `orders` below, not by the tickets service's `orderId`, so the replica does not keep it.
 */
export const ticketsReplica = pgTable('tickets_replica', {
  id: uuid('id').primaryKey(),
  title: text('title').notNull(),
  // bigint: whatever price the tickets service accepts (any safe integer of cents) fits.
  priceCents: bigint('price_cents', { mode: 'number' }).notNull(),
  userId: uuid('user_id').notNull(),
  version: integer('version').notNull(),
});

/**
 * The statuses of the event contract (common's `orderStatus`), spelled out here because a schema
 * file imports nothing from common at run time: `drizzle-kit generate` loads it without common
 * being built. The two checks below fail to compile when the lists drift apart.
 */
const ORDER_STATUSES = ['created', 'awaiting:payment', 'complete', 'cancelled'] as const satisfies readonly OrderStatus[];
type NoneMissing<Missing extends never> = Missing;
export type EveryOrderStatusListed = NoneMissing<Exclude<OrderStatus, (typeof ORDER_STATUSES)[number]>>;
export const orderStatusEnum = pgEnum('order_status', ORDER_STATUSES);

/** The name of the index that makes a second live order for a ticket a unique violation. */
export const ONE_LIVE_ORDER_PER_TICKET = 'orders_one_live_order_per_ticket';

export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => ticketsReplica.id),
    status: orderStatusEnum('status').notNull(),
    /**
     * The ticket's price when the order was placed: what the buyer sees and is charged, whatever
     * the seller edits later (an edit can land between the buyer's look and the reservation).
     */
    priceCents: bigint('price_cents', { mode: 'number' }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    version: integer('version').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // A ticket is reserved while it has an order that is not cancelled (created,
    // awaiting:payment or complete). The database, not a check-then-insert, keeps it to one.
    uniqueIndex(ONE_LIVE_ORDER_PER_TICKET).on(t.ticketId).where(sql`status <> 'cancelled'`),
    index('orders_user_newest_first_idx').on(t.userId, t.createdAt.desc()),
    // The expiry sweep's lookup (orders/src/orders/expiry-sweep.ts): only unpaid orders, so small.
    index('orders_unpaid_by_expiry_idx').on(t.expiresAt).where(sql`status in ('created', 'awaiting:payment')`),
    // The live-order limit's count (reserve-ticket.ts), on every purchase: the buyer's unpaid
    // orders only. Without it the planner, with few statistics (a young table, a cached generic
    // plan), ANDs the user index with the expiry index above and reads every unpaid order of
    // everyone per purchase (640 index entries per order in a 1,300-order bench run).
    index('orders_unpaid_by_user_idx').on(t.userId).where(sql`status in ('created', 'awaiting:payment')`),
  ],
);

export type TicketRow = typeof ticketsReplica.$inferSelect;
export type OrderRow = typeof orders.$inferSelect;

export const schema = { ticketsReplica, orders };
export type OrdersDb = NodePgDatabase<typeof schema>;

/** Generated SQL migrations; the same path from src/ and dist/. */
export const migrationsFolder = path.join(__dirname, '../../drizzle');
