import { z } from 'zod';
import { id, orderStatus, price, version } from './primitives';

/** orders → tickets, payments, expiration: a ticket was reserved until `expiresAt`. */
export const orderCreated = z.object({
  id,
  version,
  status: orderStatus,
  userId: id,
  expiresAt: z.iso.datetime({ offset: true }),
  ticket: z.object({ id, price }),
});
export type OrderCreated = z.infer<typeof orderCreated>;
