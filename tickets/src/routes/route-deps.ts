import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { TicketsDatabase } from '../db/schema';

/** What the ticket routes need: the service's database. */
export interface RouteDeps {
  db: NodePgDatabase<TicketsDatabase>;
}
