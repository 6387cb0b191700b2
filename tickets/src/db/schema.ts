import path from 'node:path';
import type { OrderStatus } from '@microtick/common';
import { sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Generated SQL migrations (`npx drizzle-kit generate`); the same path from src/ and dist/. */
export const migrationsFolder = path.join(__dirname, '../../drizzle');

/** Tickets for sale. `orderId` is set while an order holds the ticket: it can be neither edited nor ordered. */
export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: text('title').notNull(),
    /**
     * The title as search sees it: lower case without accents (ticket_search_text, an IMMUTABLE
     * SQL function from the migrations). Kept by Postgres, never written by the service. Being a
     * real column gives the planner statistics to judge how common a search word is, and saves
     * running unaccent on every candidate row (see docs/features.md).
     */
    searchTitle: text('search_title')
      .notNull()
      .generatedAlwaysAs(sql`ticket_search_text(title)`),
    /** Integer cents, so 19.99 is stored exactly as 1999. */
    priceCents: integer('price_cents').notNull(),
    userId: uuid('user_id').notNull(),
    /** Optimistic concurrency: every change is `… WHERE version = <read version>` and increments it. */
    version: integer('version').notNull().default(0),
    orderId: uuid('order_id'),
    /**
     * Set while orders offers the ticket to someone on its waiting list (docs/waitlist.md): like an
     * order's hold, it keeps the ticket off the listing and out of the seller's edits.
     * `waitlistVersion` is the last `order:waitlist-offered` / `order:waitlist-offer-ended` version applied.
     */
    waitlistOfferId: uuid('waitlist_offer_id'),
    waitlistVersion: integer('waitlist_version').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('tickets_price_cents_positive', sql`${t.priceCents} > 0`),
    // Serves GET /api/tickets (available tickets, newest first) without reading reserved ones;
    // `id` breaks ties between tickets created in the same microsecond, so pages never overlap.
    // NULLS FIRST is what a plain `ORDER BY … DESC` means; drizzle-kit would otherwise emit NULLS
    // LAST and the planner could not read the index in the query's order (tested with EXPLAIN).
    index('tickets_available_newest_idx')
      .on(t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.orderId} is null`),
    // Serves `sort=price_asc` (walked forwards) and `price_desc` (walked backwards), with or
    // without a price range, and their keyset cursors `(price_cents, id) > / < (…)`.
    index('tickets_available_price_idx').on(t.priceCents, t.id).where(sql`${t.orderId} is null`),
    // Serves `q`: trigram matching of each word anywhere in the folded title.
    index('tickets_available_title_search_idx')
      .using('gin', sql`${t.searchTitle} gin_trgm_ops`)
      .where(sql`${t.orderId} is null`),
    // Serves GET /api/tickets/mine: one seller's tickets, newest first, whatever their state.
    index('tickets_seller_newest_idx').on(t.userId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
  ],
);

/**
 * The replica of orders: what tickets knows of each order that reserved one of its tickets,
 * applied in version order (common's versionedReplica). The order events arrive on separate
 * consumers, so this is how a listener tells "not yet" from "already done" (see
 * events/listeners/order-created.listener.ts).
 */
export const ordersReplica = pgTable('orders_replica', {
  id: uuid('id').primaryKey(),
  ticketId: uuid('ticket_id').notNull(),
  status: text('status').$type<OrderStatus>().notNull(),
  version: integer('version').notNull(),
});

/**
 * Who came in: at most one check-in per ticket, enforced by the primary key, so two scanners
 * at two doors reading the same code at the same instant admit it once (the second gets 409).
 */
export const checkins = pgTable('checkins', {
  ticketId: uuid('ticket_id')
    .primaryKey()
    .references(() => tickets.id),
  /** The order the code was issued for (a ticket is sold once, so it is that ticket's only complete order). */
  orderId: uuid('order_id').notNull(),
  /** The seller who scanned it. */
  checkedInBy: uuid('checked_in_by').notNull(),
  checkedInAt: timestamp('checked_in_at', { withTimezone: true }).notNull().defaultNow(),
});

export const schema = { tickets, ordersReplica, checkins };
export type TicketsDb = NodePgDatabase<typeof schema>;
export type Ticket = typeof tickets.$inferSelect;
export type Checkin = typeof checkins.$inferSelect;
