import { isUuid, type DbExecutor } from '@microtick/common';
import { eq } from 'drizzle-orm';
import { tickets, type Ticket } from '../db/schema';

/**
 * The ticket with this id (a route parameter, so anything); undefined for an unknown id and for
 * one that is not a UUID at all, which Postgres would otherwise reject with an error.
 */
export async function findTicket(db: DbExecutor, id: unknown): Promise<Ticket | undefined> {
  if (!isUuid(id)) return undefined;
  const [ticket] = await db.select().from(tickets).where(eq(tickets.id, id));
  return ticket;
}
