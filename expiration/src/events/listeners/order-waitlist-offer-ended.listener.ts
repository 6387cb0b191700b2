import { defineListener } from '@microtick/common/bus/listener';
import type { ExpirationHandlerContext } from '../../expiration/handler-context';

/** An offer that ended (used, left or lapsed) has nothing left to expire: drop its timer. */
export const waitlistOfferEnded = defineListener({
  event: 'order:waitlist-offer-ended',
  async handle({ data }, { timers }: ExpirationHandlerContext) {
    await timers.settleOffer(data.id);
  },
});
