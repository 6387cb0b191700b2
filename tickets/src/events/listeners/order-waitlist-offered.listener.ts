import { checkVersion, defineListener } from '@microtick/common';
import { eq } from 'drizzle-orm';
import { tickets } from '../../db/schema';
import { changeTicket } from '../../tickets/change-ticket';

/**
 * order:waitlist-offered → the ticket is held for the offered user (docs/waitlist.md): off the public
 * listing, shown reserved to its seller, not editable. Orders enforces who may order it; this is
 * what everyone else sees. Offer events are applied in the waiting list's version order, so an
 * `offer-ended` that overtook its `offered` waits for it (and vice versa).
 */
export const waitlistOffered = defineListener({
  event: 'order:waitlist-offered',
  async handle({ data }, { tx }) {
    const [ticket] = await tx.select().from(tickets).where(eq(tickets.id, data.ticket.id)).for('update');
    // Orders only knows tickets we announced: a missing one is a bug or a foreign event.
    if (!ticket) throw new Error(`ticket ${data.ticket.id} of offer ${data.id} does not exist`);
    if (checkVersion(ticket.waitlistVersion, data.version, `waiting list of ticket ${ticket.id}`) === 'stale') return;
    if (!(await changeTicket(tx, ticket, { waitlistOfferId: data.id, waitlistVersion: data.version }))) throw new Error(`ticket ${ticket.id} changed under its row lock`);
  },
});
