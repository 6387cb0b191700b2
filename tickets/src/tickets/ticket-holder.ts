import { preparedStatement, type DbExecutor, type Params } from '@microtick/common';
import { eq } from 'drizzle-orm';
import { tickets, type Ticket } from '../db/schema';
import { changeTicket } from './change-ticket';

/**
 * "Not yet" retries back off to one every 2 s, so this many deliveries let an order event wait
 * about two minutes for the other order consumer (restarting, or catching up on a backlog)
 * before it is parked as a dead letter. common's default of 10 gives up after about 9 s.
 */
export const ORDER_EVENT_MAX_DELIVER = 60;

const lockTicket = preparedStatement('tickets_lock_for_order', (db, p: Params<{ id: string }>) =>
  db.select().from(tickets).where(eq(tickets.id, p('id'))).for('update'),
);

/**
 * The ticket an order event is about, row-locked until the handler commits. Taking the ticket
 * lock first serialises all order events about one ticket, so the orders replica read that
 * follows (versionedReplica) already sees any of them that committed before.
 */
export async function lockTicketForOrder(tx: DbExecutor, ticketId: string, orderId: string): Promise<Ticket> {
  const [ticket] = await lockTicket.execute(tx, { id: ticketId });
  // Orders only learns of tickets from our ticket:created, committed here before it was
  // published: a missing ticket is a bug or a foreign event, so fail (and dead-letter), not wait.
  if (!ticket) throw new Error(`ticket ${ticketId} of order ${orderId} does not exist`);
  return ticket;
}

/** Locks (order id) or releases (null) a ticket locked by `lockTicketForOrder`, publishing ticket:updated. */
export async function setTicketHolder(tx: DbExecutor, ticket: Ticket, orderId: string | null): Promise<void> {
  // Cannot miss while we hold the row lock; if it ever does, roll back and let the event retry.
  if (!(await changeTicket(tx, ticket, { orderId }))) throw new Error(`ticket ${ticket.id} changed under its row lock`);
}
