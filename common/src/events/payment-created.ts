import { z } from 'zod';
import { id } from './primitives';

/** payments → orders, expiration: the order was paid. */
export const paymentCreated = z.object({ id, orderId: id, stripeId: z.string().min(1) });
export type PaymentCreated = z.infer<typeof paymentCreated>;
