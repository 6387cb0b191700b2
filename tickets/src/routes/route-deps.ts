import type { KeyObject } from 'node:crypto';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { TicketsDatabase } from '../db/schema';

/** What the ticket routes need: the service's database, and orders' public key for check-ins. */
export interface RouteDeps {
  db: NodePgDatabase<TicketsDatabase>;
  /** Verifies ticket codes (TICKET_CODE_PUBLIC_KEY); tickets never holds the private key. */
  ticketCodePublicKey: KeyObject;
}
