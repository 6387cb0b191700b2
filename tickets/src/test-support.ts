import { randomUUID } from 'node:crypto';
import { createTestDatabase, testAppDeps, TEST_TICKET_CODE_KEYS, type TestDatabase } from '@microtick/common/testing';
import { migrationsFolder, schema, tickets, type Ticket, type TicketsDatabase } from './db/schema';
import { buildApp } from './app';

/**
 * This jest worker's migrated tickets database, emptied before each test of the calling file.
 * Call at the top of a test file; the returned getter is valid inside tests.
 */
export function useTicketsDatabase(): () => TestDatabase<TicketsDatabase> {
  let database: TestDatabase<TicketsDatabase> | undefined;
  beforeAll(async () => {
    database = await createTestDatabase({ name: 'tickets', migrationsFolder, schema });
  });
  afterAll(() => database?.close());
  beforeEach(() => database?.truncate());
  return () => {
    if (!database) throw new Error('useTicketsDatabase: the database is only open inside tests');
    return database;
  };
}

/** The HTTP app on a test database. */
export const testApp = (database: TestDatabase<TicketsDatabase>) => buildApp({ db: database.db, ...testAppDeps(), ticketCodePublicKey: TEST_TICKET_CODE_KEYS.publicKey });

/** A ticket written straight to the table (no event), for tests that need a given state. */
export async function seedTicket(database: TestDatabase<TicketsDatabase>, values: Partial<typeof tickets.$inferInsert> = {}): Promise<Ticket> {
  const [ticket] = await database.db
    .insert(tickets)
    .values({ title: 'Concert', priceCents: 2000, userId: randomUUID(), ...values })
    .returning();
  return ticket!;
}
