import type { KeyObject } from 'node:crypto';
import type { TicketsDb } from '../db/schema';

/** What the ticket routes need: the service's database, and orders' public key for check-ins. */
export interface RouteDeps {
  db: TicketsDb;
  /** Verifies ticket codes (TICKET_CODE_PUBLIC_KEY); tickets never holds the private key. */
  ticketCodePublicKey: KeyObject;
}
