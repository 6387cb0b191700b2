import { fromCents } from '@microtick/common';
import type { Ticket as TicketJson } from '@microtick/common/api';
import type { Ticket } from '../db/schema';

/**
 * A ticket as the HTTP API (common/src/api/tickets.ts) and `ticket:updated` show it, with the
 * price back in currency units (1999 cents → 19.99). The two shapes are the same by contract
 * (SPEC §3 and §4).
 */
export const ticketView = (ticket: Ticket): TicketJson => ({
  id: ticket.id,
  title: ticket.title,
  price: fromCents(ticket.priceCents),
  userId: ticket.userId,
  version: ticket.version,
  orderId: ticket.orderId,
});
