import { addToOutbox, type DbExecutor } from '@microtick/common';
import { and, eq, sql } from 'drizzle-orm';
import { tickets, type Ticket } from '../db/schema';
import { ticketView } from './ticket-view';

type TicketChanges = Partial<Pick<Ticket, 'title' | 'priceCents' | 'orderId' | 'waitlistOfferId' | 'waitlistVersion'>>;

/**
 * The one way a ticket changes: only if it is still at the version the caller read, bumping the
 * version and staging `ticket:updated` in the same transaction. Returns undefined when someone
 * else changed the ticket first; the caller decides whether that is a 409 or a retry.
 */
export async function changeTicket(tx: DbExecutor, current: Ticket, changes: TicketChanges): Promise<Ticket | undefined> {
  const [changed] = await tx
    .update(tickets)
    .set({ ...changes, version: sql`${tickets.version} + 1` })
    .where(and(eq(tickets.id, current.id), eq(tickets.version, current.version)))
    .returning();
  if (changed) await addToOutbox(tx, 'ticket:updated', ticketView(changed));
  return changed;
}
