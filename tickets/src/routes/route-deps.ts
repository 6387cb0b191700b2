import type { KeyObject } from 'node:crypto';
import type { TicketsDb } from '../db/schema';
import type { ListingCache } from '../listing/listing-cache';

/** What the ticket routes need: the service's database, orders' public key for check-ins, and the listing cache if any. */
export interface RouteDeps {
  db: TicketsDb;
  /** Verifies ticket codes (TICKET_CODE_PUBLIC_KEY); tickets never holds the private key. */
  ticketCodePublicKey: KeyObject;
  /** Keeps the public listing's first pages while no ticket changes; without it every listing reads Postgres. */
  listingCache?: ListingCache;
}
