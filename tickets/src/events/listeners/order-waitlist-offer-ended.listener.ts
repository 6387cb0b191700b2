import { checkVersion, defineListener } from '@microtick/common';
import { eq } from 'drizzle-orm';
import { tickets } from '../../db/schema';
import { changeTicket } from '../../tickets/change-ticket';

/**
 * order:waitlist-offer-ended → the offer's hold is lifted. The ticket is for sale again unless an
 * order holds it (the offered user ordered it) or the next offer follows (a later version).
 */
export const waitlistOfferEnded = defineListener({
  event: 'order:waitlist-offer-ended',
  async handle({ data }, { tx }) {
    const [ticket] = await tx.select().from(tickets).where(eq(tickets.id, data.ticket.id)).for('update');
    if (!ticket) throw new Error(`ticket ${data.ticket.id} of offer ${data.id} does not exist`);
    if (checkVersion(ticket.waitlistVersion, data.version, `waiting list of ticket ${ticket.id}`) === 'stale') return;
    const waitlistOfferId = ticket.waitlistOfferId === data.id ? null : ticket.waitlistOfferId;
    if (!(await changeTicket(tx, ticket, { waitlistOfferId, waitlistVersion: data.version }))) throw new Error(`ticket ${ticket.id} changed under its row lock`);
  },
});
