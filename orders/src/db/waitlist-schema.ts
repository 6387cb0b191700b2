import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgEnum, pgTable, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { ticketsReplica } from './schema';

/**
 * The waiting lists (docs/waitlist.md). Kept apart from schema.ts so the order tables and the
 * waiting list evolve in separate files; drizzle.config.ts reads both.
 */

export const waitlistEntryStatus = pgEnum('waitlist_entry_status', ['waiting', 'offered', 'expired', 'ended']);
export type WaitlistEntryStatus = (typeof waitlistEntryStatus.enumValues)[number];

/**
 * One row per ticket that has (had) a waiting list. Every change to who holds the ticket's offer
 * takes this row's lock first, so those changes happen one at a time per ticket, and bumps
 * `version`, the version carried by `order:waitlist-offered` / `order:waitlist-offer-ended`.
 */
export const waitlists = pgTable('waitlists', {
  ticketId: uuid('ticket_id')
    .primaryKey()
    .references(() => ticketsReplica.id),
  version: integer('version').notNull().default(0),
  /**
   * How long an offer on this ticket lasts: OFFER_WINDOW_SECONDS as configured when someone last
   * joined. Kept here so whatever ends a reservation (the buyer, an expiration, a sweep) can start
   * the next offer without being handed the configuration.
   */
  offerWindowSeconds: integer('offer_window_seconds').notNull(),
});

/** The names of the indexes that turn a broken waiting-list rule into a unique violation. */
export const ONE_ACTIVE_ENTRY_PER_USER = 'waitlist_entries_one_active_per_user';
export const ONE_OFFER_PER_TICKET = 'waitlist_entries_one_offer_per_ticket';

export const waitlistEntries = pgTable(
  'waitlist_entries',
  {
    /** Also the id of the entry's offer, if it gets one (an entry is offered at most once). */
    id: uuid('id').primaryKey().defaultRandom(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => ticketsReplica.id),
    userId: uuid('user_id').notNull(),
    /** First come, first served: the line is ordered by this, never by a clock. */
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    status: waitlistEntryStatus('status').notNull().default('waiting'),
    /** The place in line when the entry joined and, once it is over, the place it had then. */
    position: integer('position').notNull(),
    offerExpiresAt: timestamp('offer_expires_at', { withTimezone: true }),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Joining twice is refused by the database, not by a read before the insert.
    uniqueIndex(ONE_ACTIVE_ENTRY_PER_USER).on(t.ticketId, t.userId).where(sql`status in ('waiting', 'offered')`),
    // At most one offer per ticket at any moment.
    uniqueIndex(ONE_OFFER_PER_TICKET).on(t.ticketId).where(sql`status = 'offered'`),
    // The line of a ticket, first in line first.
    index('waitlist_entries_line_idx').on(t.ticketId, t.seq).where(sql`status in ('waiting', 'offered')`),
    index('waitlist_entries_user_idx').on(t.userId, t.joinedAt.desc().nullsFirst()),
    // The backstop sweep looks for offers past their deadline.
    index('waitlist_entries_offer_deadline_idx').on(t.offerExpiresAt).where(sql`status = 'offered'`),
  ],
);

export type WaitlistEntryRow = typeof waitlistEntries.$inferSelect;
