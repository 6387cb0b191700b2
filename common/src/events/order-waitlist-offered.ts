import { z } from 'zod';
import { id, version } from './primitives';

/**
 * orders → tickets, expiration: the first in line of a ticket's waiting list has the ticket to
 * themselves until `offerExpiresAt` (nobody else can order it). `id` is the offer's id (the
 * waiting-list entry's id); `version` is the version of the ticket's waiting list, which every
 * `order:waitlist-offered` / `order:waitlist-offer-ended` about that ticket bumps by one, starting at 1, so
 * replicas apply them in order although they arrive on separate consumers.
 */
export const waitlistOffered = z.object({
  id,
  version: version.min(1),
  ticket: z.object({ id }),
  userId: id,
  offerExpiresAt: z.iso.datetime({ offset: true }),
});
export type WaitlistOffered = z.infer<typeof waitlistOffered>;
