import { fromCents } from '@microtick/common';
import type { Ticket as TicketJson } from '@microtick/common/api';
import type { Ticket } from '../db/schema';

/**
 * A ticket as the HTTP API (common/src/api/tickets.ts) and `ticket:updated` show it, with the
 * price back in currency units (1999 cents → 19.99). The two shapes are the same by contract
 * (SPEC §3 and §4), but for `heldForWaitingList`, which only the API shows (the outbox keeps
 * what the event's schema declares): orders learns of offers from its own waiting list.
 */
export const ticketView = (ticket: Ticket): TicketJson => ({
  id: ticket.id,
  title: ticket.title,
  price: fromCents(ticket.priceCents),
  userId: ticket.userId,
  version: ticket.version,
  orderId: ticket.orderId,
  heldForWaitingList: ticket.waitlistOfferId !== null,
});
