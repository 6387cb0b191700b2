import { fromCents, type TicketUpdated } from '@microtick/common';
import type { Ticket } from '../db/schema';

/**
 * A ticket as the HTTP API and `ticket:updated` show it, with the price back in currency units
 * (1999 cents → 19.99). The two shapes are the same by contract (SPEC §3 and §4).
 */
export const ticketView = (ticket: Ticket): TicketUpdated => ({
  id: ticket.id,
  title: ticket.title,
  price: fromCents(ticket.priceCents),
  userId: ticket.userId,
  version: ticket.version,
  orderId: ticket.orderId,
});
