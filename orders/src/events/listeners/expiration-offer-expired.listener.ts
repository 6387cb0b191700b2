import { defineListener, RetryLater } from '@microtick/common';
import { lapseOffer } from '../../waitlist/offers';

/**
 * A waiting-list offer's window passed (expiration keeps the timer; orders decides): the offer
 * lapses and the next in line gets one, in this transaction. An offer already used or left is
 * left alone. If expiration's clock ran ahead of the database's, the event comes back shortly.
 */
export const expirationOfferExpired = defineListener({
  event: 'expiration:offer-expired',
  async handle({ data }, { tx }) {
    if ((await lapseOffer(tx, data.offerId)) === 'not-due') throw new RetryLater(`offer ${data.offerId} is not due yet`);
  },
});
