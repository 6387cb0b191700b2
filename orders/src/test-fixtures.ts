/** Fixtures shared by the orders service's tests (real Postgres; see @microtick/common/testing). */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { durableName, type EventEnvelope } from '@microtick/common';
import { createTestDatabase, startListenerHarness, waitFor, type AnyDb, type ListenerHarness, type TestDatabase } from '@microtick/common/testing';
import { migrationsFolder, orders, schema, tickets, type OrderRow, type OrdersDb, type TicketRow } from './db/schema';
import { listeners } from './events/listeners';

export type OrdersTestDatabase = TestDatabase<typeof schema>;

export const createOrdersTestDatabase = (): Promise<OrdersTestDatabase> => createTestDatabase({ name: 'orders', migrationsFolder, schema });

/** The service's listeners on a private stream, through the real runner. */
export const startOrdersListeners = (db: OrdersDb): Promise<ListenerHarness> =>
  startListenerHarness({ service: 'orders', db: db as unknown as AnyDb, listeners });

/**
 * Waits until the consumer of `event`'s type has acknowledged everything published to it, so a
 * test can assert that an event (or its duplicate) changed nothing. A message held back for a
 * retry still counts as pending.
 */
export async function waitUntilSettled(harness: ListenerHarness, event: EventEnvelope): Promise<void> {
  const { bus } = harness;
  await waitFor(
    async () => {
      const info = await bus.jsm.consumers.info(bus.stream, durableName('orders', event.type));
      return info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq > 0;
    },
    { what: `${event.type} consumer settled` },
  );
}

/** A ticket in the replica, as if its `ticket:created` had been applied. */
export async function insertTicket(db: OrdersDb, overrides: Partial<typeof tickets.$inferInsert> = {}): Promise<TicketRow> {
  const [ticket] = await db
    .insert(tickets)
    .values({ id: randomUUID(), title: 'Concert', priceCents: 2_000, userId: randomUUID(), version: 0, ...overrides })
    .returning();
  if (!ticket) throw new Error('no ticket inserted');
  return ticket;
}

/** An order for `ticket`, written straight to the table (no event). */
export async function insertOrder(db: OrdersDb, ticket: TicketRow, overrides: Partial<typeof orders.$inferInsert> = {}): Promise<OrderRow> {
  const [order] = await db
    .insert(orders)
    .values({ userId: randomUUID(), ticketId: ticket.id, status: 'created', expiresAt: new Date(Date.now() + 900_000), ...overrides })
    .returning();
  if (!order) throw new Error('no order inserted');
  return order;
}

export async function readOrder(db: OrdersDb, id: string): Promise<OrderRow | undefined> {
  const [order] = await db.select().from(orders).where(eq(orders.id, id));
  return order;
}

export async function readTicket(db: OrdersDb, id: string): Promise<TicketRow | undefined> {
  const [ticket] = await db.select().from(tickets).where(eq(tickets.id, id));
  return ticket;
}
