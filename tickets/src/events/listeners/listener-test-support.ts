import { randomUUID } from 'node:crypto';
import { durableName, fromCents, type EventData, type EventType, type OrderCreated } from '@microtick/common';
import { startListenerHarness, waitFor, type TestDatabase } from '@microtick/common/testing';
import { eq } from 'drizzle-orm';
import { orderReplicas, tickets, type Ticket, type TicketsDatabase } from '../../db/schema';
import { listeners } from '.';

/** The service's listeners on a private stream, plus what listener tests keep asking. */
export async function startTicketsHarness(database: TestDatabase<TicketsDatabase>) {
  const harness = await startListenerHarness({ service: 'tickets', db: database.db, listeners });
  const consumerInfo = (type: EventType) => harness.bus.jsm.consumers.info(harness.bus.stream, durableName('tickets', type));
  return {
    harness,
    /** Resolves once every `type` event published so far has been acked (applied or found to be a duplicate). */
    allHandled: (type: EventType) =>
      waitFor(async () => {
        const info = await consumerInfo(type);
        return info.num_pending === 0 && info.num_ack_pending === 0;
      }, { what: `every ${type} handled` }),
    /** Resolves once a `type` event has been handed back at least once and is still waiting: "not yet". */
    retrying: (type: EventType) =>
      waitFor(async () => {
        const info = await consumerInfo(type);
        return info.num_redelivered > 0 && info.num_ack_pending > 0;
      }, { what: `a ${type} being retried` }),
    readTicket: async (id: string) => (await database.db.select().from(tickets).where(eq(tickets.id, id)))[0]!,
    readOrderReplica: async (id: string) => (await database.db.select().from(orderReplicas).where(eq(orderReplicas.id, id)))[0],
  };
}

/** What orders publishes when someone reserves `ticket`. */
export const orderCreatedData = (ticket: Ticket): EventData<'order:created'> => ({
  id: randomUUID(),
  version: 0,
  status: 'created',
  userId: randomUUID(),
  expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
  ticket: { id: ticket.id, price: fromCents(ticket.priceCents) },
});

/** What orders publishes when that order is cancelled (expired or by its buyer). */
export const orderCancelledData = (order: OrderCreated): EventData<'order:cancelled'> => ({
  id: order.id,
  version: 1,
  ticket: { id: order.ticket.id },
});
