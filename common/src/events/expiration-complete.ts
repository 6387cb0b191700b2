import { z } from 'zod';
import { id } from './primitives';

/** expiration → orders: the payment window of an order has passed. */
export const expirationComplete = z.object({ orderId: id });
export type ExpirationComplete = z.infer<typeof expirationComplete>;
