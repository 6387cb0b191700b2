import { z } from 'zod';
import { id, price } from './primitives';

/**
 * payments → orders, expiration: the order's price is authorized on the buyer's card (held, not
 * taken yet). Orders decides: complete (then payments captures) or already cancelled (voided).
 */
export const paymentCreated = z.object({
  id,
  orderId: id,
  stripeId: z.string().min(1),
  /** The amount held, in currency units. */
  amount: price,
  /** When Stripe answered that the card was authorized. */
  authorizedAt: z.iso.datetime({ offset: true }),
});
export type PaymentCreated = z.infer<typeof paymentCreated>;
