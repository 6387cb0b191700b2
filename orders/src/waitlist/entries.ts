import { and, desc, eq, ne, sql } from 'drizzle-orm';
import { BadRequestError, type DbExecutor } from '@microtick/common';
import type { WaitlistEntry } from '@microtick/common/api';
import { orders, ticketsReplica } from '../db/schema';
import { waitlistEntries } from '../db/waitlist-schema';
import { currentOffer } from './offers';
import { openWaitlist } from './waitlist-lock';

/** An entry as `GET /api/orders/waitlist` shows it (SPEC §6; common/src/api/waitlist.ts). */
export type WaitlistEntryView = WaitlistEntry;

/** What joining can answer besides success; each is a 400 (SPEC §6). */
export const JOIN_REFUSALS = {
  ownTicket: 'You cannot join the waiting list of your own ticket',
  sold: 'This ticket is sold',
  holder: 'You already hold this ticket',
  notReserved: 'This ticket is not reserved: you can order it now',
} as const;

/**
 * Puts the user at the end of the ticket's line and returns their place (1 = next). The ticket
 * must be reserved: held by someone else's unpaid order, or under a waiting-list offer.
 *
 * The live order is read FOR SHARE, so a transaction ending it waits for this join to commit
 * and then offers to the line including it; or, if that transaction ended the order first, we
 * read it as ended and refuse. The unique index on active entries refuses a second entry.
 */
export async function joinWaitlist(tx: DbExecutor, params: { ticketId: string; userId: string; offerWindowSeconds: number }): Promise<{ position: number } | 'unknown-ticket'> {
  const { ticketId, userId } = params;
  const [ticket] = await tx.select({ sellerId: ticketsReplica.userId }).from(ticketsReplica).where(eq(ticketsReplica.id, ticketId));
  if (!ticket) return 'unknown-ticket';
  if (ticket.sellerId === userId) throw new BadRequestError(JOIN_REFUSALS.ownTicket, 'ticketId');
  const [live] = await tx
    .select({ userId: orders.userId, status: orders.status })
    .from(orders)
    .where(and(eq(orders.ticketId, ticketId), ne(orders.status, 'cancelled')))
    .for('share');
  if (live?.status === 'complete') throw new BadRequestError(JOIN_REFUSALS.sold, 'ticketId');
  if (live?.userId === userId) throw new BadRequestError(JOIN_REFUSALS.holder, 'ticketId');
  await openWaitlist(tx, ticketId, params.offerWindowSeconds);
  if (!live && !(await currentOffer(tx, ticketId))) throw new BadRequestError(JOIN_REFUSALS.notReserved, 'ticketId');
  const position = (await placesInLine(tx, ticketId)) + 1;
  await tx.insert(waitlistEntries).values({ ticketId, userId, position });
  return { position };
}

const placesInLine = async (tx: DbExecutor, ticketId: string): Promise<number> => {
  const [row] = await tx
    .select({ count: sql<number>`count(*)::int` })
    .from(waitlistEntries)
    .where(and(eq(waitlistEntries.ticketId, ticketId), sql`${waitlistEntries.status} in ('waiting', 'offered')`));
  return row?.count ?? 0;
};

/** The user's entries, newest first, each in line with its live place. */
export async function listWaitlistEntries(db: DbExecutor, userId: string): Promise<WaitlistEntryView[]> {
  const rows = await db
    .select({
      ticketId: waitlistEntries.ticketId,
      status: waitlistEntries.status,
      offerExpiresAt: waitlistEntries.offerExpiresAt,
      // Qualified by hand: drizzle leaves a single table's columns unqualified, which inside the
      // subquery would name the subquery's own row.
      position: sql<number>`case when waitlist_entries.status in ('waiting', 'offered') then (
        select count(*)::int from waitlist_entries ahead
        where ahead.ticket_id = waitlist_entries.ticket_id and ahead.status in ('waiting', 'offered') and ahead.seq <= waitlist_entries.seq
      ) else waitlist_entries.position end`,
    })
    .from(waitlistEntries)
    .where(eq(waitlistEntries.userId, userId))
    .orderBy(desc(waitlistEntries.joinedAt), desc(waitlistEntries.seq));
  return rows.map(({ ticketId, status, position, offerExpiresAt }) => ({
    ticketId,
    position,
    status,
    ...(status === 'offered' && offerExpiresAt ? { offerExpiresAt: offerExpiresAt.toISOString() } : {}),
  }));
}
