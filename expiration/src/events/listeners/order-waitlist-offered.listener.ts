import { defineListener } from '@microtick/common/bus/listener';
import type { ExpirationHandlerContext } from '../../expiration/handler-context';

/** Arms the offer's timer for `offerExpiresAt` (docs/waitlist.md); orders decides when it fires. */
export const waitlistOffered = defineListener({
  event: 'order:waitlist-offered',
  async handle({ data }, { timers }: ExpirationHandlerContext) {
    await timers.scheduleOffer({ offerId: data.id, ticketId: data.ticket.id, expiresAt: data.offerExpiresAt });
  },
});
