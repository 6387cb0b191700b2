/** The tickets service's test support: its data builders, wired on common's harness (@microtick/common/testing). */
import { randomUUID } from 'node:crypto';
import { fromCents, type EventData, type OrderCreated } from '@microtick/common';
import { testAppDeps, TEST_TICKET_CODE_KEYS, useListenerHarness, useServiceDatabase, type TestDatabase } from '@microtick/common/testing';
import { eq } from 'drizzle-orm';
import { migrationsFolder, ordersReplica, schema, tickets, type Ticket } from './db/schema';
import { listeners } from './events/listeners';
import { buildApp } from './app';

export type TicketsTestDatabase = TestDatabase<typeof schema>;

/** This jest worker's migrated tickets database, emptied before each test of the calling file. */
export const useTicketsDatabase = () => useServiceDatabase({ name: 'tickets', migrationsFolder, schema });

/** The service's listeners on a private stream, started fresh for each test (after `useTicketsDatabase`). */
export const useTicketsListeners = (database: () => TicketsTestDatabase) => useListenerHarness({ service: 'tickets', database, listeners });

/** The HTTP app on a test database. */
export const testApp = (database: TicketsTestDatabase) => buildApp({ db: database.db, ...testAppDeps(), ticketCodePublicKey: TEST_TICKET_CODE_KEYS.publicKey });

/** A ticket written straight to the table (no event), for tests that need a given state. */
export async function seedTicket(database: TicketsTestDatabase, values: Partial<typeof tickets.$inferInsert> = {}): Promise<Ticket> {
  const [ticket] = await database.db
    .insert(tickets)
    .values({ title: 'Concert', priceCents: 2000, userId: randomUUID(), ...values })
    .returning();
  return ticket!;
}

export const readTicket = async (database: TicketsTestDatabase, id: string) => (await database.db.select().from(tickets).where(eq(tickets.id, id)))[0]!;

export const readOrderReplica = async (database: TicketsTestDatabase, id: string) =>
  (await database.db.select().from(ordersReplica).where(eq(ordersReplica.id, id)))[0];

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
