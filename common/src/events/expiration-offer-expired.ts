import { z } from 'zod';
import { id } from './primitives';

/**
 * expiration → orders: the window of waiting-list offer `offerId` (announced by
 * `order:waitlist-offered`) has passed. Orders decides: an offer already used or ended is left alone.
 */
export const expirationOfferExpired = z.object({ offerId: id, ticketId: id });
export type ExpirationOfferExpired = z.infer<typeof expirationOfferExpired>;
