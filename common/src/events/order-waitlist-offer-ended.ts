import { z } from 'zod';
import { id, version } from './primitives';

/**
 * Why an offer ended: the offered user ordered the ticket, let the window pass, or left the
 * waiting list. After `lapsed` or `left` the next in line may get a `order:waitlist-offered` (a later
 * version); when nobody is left, the ticket is on sale to everyone again.
 */
export const offerOutcome = z.enum(['ordered', 'lapsed', 'left']);
export type OfferOutcome = z.infer<typeof offerOutcome>;

/**
 * orders → tickets, expiration: the offer `id` is over (same `version` sequence as
 * `order:waitlist-offered`). Tickets lifts the offer's hold; expiration drops the offer's timer.
 */
export const waitlistOfferEnded = z.object({ id, version: version.min(1), ticket: z.object({ id }), outcome: offerOutcome });
export type WaitlistOfferEnded = z.infer<typeof waitlistOfferEnded>;
