import { and, asc, eq, sql } from 'drizzle-orm';
import { addToOutbox, BadRequestError, type DbExecutor, type OfferOutcome } from '@microtick/common';
import { waitlistEntries, type WaitlistEntryRow } from '../db/waitlist-schema';
import { lockWaitlist, nextWaitlistVersion, type WaitlistRow } from './waitlist-lock';

/** Statuses of entries still in line. */
export const IN_LINE = ['waiting', 'offered'] as const;

export const OFFERED_TO_SOMEONE_ELSE = 'This ticket is being offered to someone on the waiting list';

/** The ticket's current offer, if any. Call with the waiting list locked. */
export async function currentOffer(tx: DbExecutor, ticketId: string): Promise<WaitlistEntryRow | undefined> {
  const [offer] = await tx
    .select()
    .from(waitlistEntries)
    .where(and(eq(waitlistEntries.ticketId, ticketId), eq(waitlistEntries.status, 'offered')));
  return offer;
}

/**
 * Offers the ticket to the first entry still waiting, for the list's offer window counted from
 * now (the database's clock, the one every deadline check uses), and stages `order:waitlist-offered`.
 * Nobody waiting: nothing happens, and the ticket is on sale to everyone. Needs the lock.
 */
async function offerToFirstWaiting(tx: DbExecutor, waitlist: WaitlistRow): Promise<WaitlistEntryRow | undefined> {
  const [first] = await tx
    .select({ id: waitlistEntries.id })
    .from(waitlistEntries)
    .where(and(eq(waitlistEntries.ticketId, waitlist.ticketId), eq(waitlistEntries.status, 'waiting')))
    .orderBy(asc(waitlistEntries.seq))
    .limit(1);
  if (!first) return undefined;
  const [offer] = await tx
    .update(waitlistEntries)
    .set({ status: 'offered', position: 1, offerExpiresAt: sql`now() + make_interval(secs => ${waitlist.offerWindowSeconds})` })
    .where(eq(waitlistEntries.id, first.id))
    .returning();
  if (!offer?.offerExpiresAt) throw new Error(`entry ${first.id} vanished under the waiting-list lock`);
  await addToOutbox(tx, 'order:waitlist-offered', {
    id: offer.id,
    version: await nextWaitlistVersion(tx, waitlist),
    ticket: { id: offer.ticketId },
    userId: offer.userId,
    offerExpiresAt: offer.offerExpiresAt.toISOString(),
  });
  return offer;
}

/** Stages `order:waitlist-offer-ended` for an offer whose entry the caller has just moved on. Needs the lock. */
async function announceOfferEnded(tx: DbExecutor, waitlist: WaitlistRow, offer: WaitlistEntryRow, outcome: OfferOutcome): Promise<void> {
  await addToOutbox(tx, 'order:waitlist-offer-ended', { id: offer.id, version: await nextWaitlistVersion(tx, waitlist), ticket: { id: offer.ticketId }, outcome });
}

/**
 * A reservation of the ticket has just ended (cancelled by its buyer, by its expiration or by a
 * sweep): called in the transaction that ended it, so the first in line holds the offer from the
 * very commit that frees the ticket, and no stranger can order in between (create-order's
 * `claimTicketOffer` sees the offer as soon as its insert can proceed).
 */
export async function offerToNextInLine(tx: DbExecutor, ticketId: string): Promise<WaitlistEntryRow | undefined> {
  return offerOnLockedWaitlist(tx, await lockWaitlist(tx, ticketId));
}

/** `offerToNextInLine` with the ticket's waiting list already locked by the caller (undefined: it has none). */
export async function offerOnLockedWaitlist(tx: DbExecutor, waitlist: WaitlistRow | undefined): Promise<WaitlistEntryRow | undefined> {
  if (!waitlist) return undefined;
  // An offer and a live order never coexist (an order during an offer is the offered user's and
  // ends the offer), so there is none to keep here; the unique index would refuse a second one.
  return offerToFirstWaiting(tx, waitlist);
}

/**
 * The guard of `POST /api/orders`, run in its transaction with the ticket's waiting list locked
 * by a statement AFTER the order insert (reserve-ticket.ts). The insert waits on the
 * one-live-order index for any transaction still ending the previous reservation, and the
 * waiting-list lock waits for any transaction still moving the offer; only then is the offer
 * read, afresh (READ COMMITTED), so an offer started by either is always seen.
 * Someone else's offer → 400 (the order is rolled back); the offered user's own order ends their
 * entry and the offer (`order:waitlist-offer-ended`, outcome `ordered`).
 */
export async function claimTicketOffer(tx: DbExecutor, waitlist: WaitlistRow, userId: string): Promise<void> {
  const offer = await currentOffer(tx, waitlist.ticketId);
  if (!offer) return;
  if (offer.userId !== userId) throw new BadRequestError(OFFERED_TO_SOMEONE_ELSE);
  const [used] = await tx
    .update(waitlistEntries)
    .set({ status: 'ended' })
    .where(and(eq(waitlistEntries.id, offer.id), sql`${waitlistEntries.offerExpiresAt} > now()`))
    .returning();
  // Past its deadline the offer is no longer theirs, though it holds the ticket until it passes on.
  if (!used) throw new BadRequestError('Your offer for this ticket has expired');
  await announceOfferEnded(tx, waitlist, used, 'ordered');
}

export type LapseOutcome = 'lapsed' | 'not-due' | 'not-offered';

/**
 * The offer's window has passed (expiration's event, or the sweep): its entry expires and the
 * next in line gets the offer. An offer already used, left or lapsed is left alone; one whose
 * deadline is still ahead by the database's clock is `not-due` (expiration's clock ran early).
 */
export async function lapseOffer(tx: DbExecutor, offerId: string): Promise<LapseOutcome> {
  const [entry] = await tx.select({ ticketId: waitlistEntries.ticketId }).from(waitlistEntries).where(eq(waitlistEntries.id, offerId));
  if (!entry) return 'not-offered'; // its user left the waiting list
  const waitlist = await lockWaitlist(tx, entry.ticketId);
  if (!waitlist) throw new Error(`entry ${offerId} has no waiting list`);
  const [lapsed] = await tx
    .update(waitlistEntries)
    .set({ status: 'expired' })
    .where(and(eq(waitlistEntries.id, offerId), eq(waitlistEntries.status, 'offered'), sql`${waitlistEntries.offerExpiresAt} <= now()`))
    .returning();
  if (!lapsed) {
    const [current] = await tx.select({ status: waitlistEntries.status }).from(waitlistEntries).where(eq(waitlistEntries.id, offerId));
    return current?.status === 'offered' ? 'not-due' : 'not-offered';
  }
  await announceOfferEnded(tx, waitlist, lapsed, 'lapsed');
  await offerToFirstWaiting(tx, waitlist);
  return 'lapsed';
}

/**
 * The user leaves the ticket's waiting list (their entries are deleted). Leaving during their
 * offer passes it to the next in line at once. Returns false when they had no entry.
 */
export async function leaveWaitlist(tx: DbExecutor, ticketId: string, userId: string): Promise<boolean> {
  const waitlist = await lockWaitlist(tx, ticketId);
  if (!waitlist) return false;
  const removed = await tx
    .delete(waitlistEntries)
    .where(and(eq(waitlistEntries.ticketId, ticketId), eq(waitlistEntries.userId, userId)))
    .returning();
  const offer = removed.find((entry) => entry.status === 'offered');
  if (offer) {
    await announceOfferEnded(tx, waitlist, offer, 'left');
    await offerToFirstWaiting(tx, waitlist);
  }
  return removed.length > 0;
}

/**
 * The ticket is sold: everyone still in line is done (`ended`), keeping the place they had.
 * No offer can be running (the sale is of a live order), so nothing is published. Needs the
 * ticket's waiting list locked (undefined: it has none).
 */
export async function endWaitlistOnSale(tx: DbExecutor, waitlist: WaitlistRow | undefined): Promise<void> {
  if (!waitlist) return;
  const { ticketId } = waitlist;
  await tx.execute(sql`
    update ${waitlistEntries} as e set status = 'ended', position = line.place
    from (select id, row_number() over (order by seq) as place from ${waitlistEntries}
          where ticket_id = ${ticketId} and status in ('waiting', 'offered')) as line
    where e.id = line.id`);
}

/** The entries in the ticket's line whose offers are past their deadline by more than `graceSeconds`. */
export async function overdueOffers(tx: DbExecutor, graceSeconds: number, limit: number): Promise<string[]> {
  const rows = await tx
    .select({ id: waitlistEntries.id })
    .from(waitlistEntries)
    .where(and(eq(waitlistEntries.status, 'offered'), sql`${waitlistEntries.offerExpiresAt} < now() - make_interval(secs => ${graceSeconds})`))
    .orderBy(asc(waitlistEntries.offerExpiresAt))
    .limit(limit);
  return rows.map((row) => row.id);
}

