import { z } from 'zod';
import { defineRoute, errors, json, uuid } from './route-definition';

/** Stripe test tokens (`tok_visa`) and PaymentMethod ids (`pm_card_visa`, `pm_1Q…`). */
const STRIPE_PAYMENT_METHOD = /^(tok|pm)_[A-Za-z0-9_]+$/;

export const createPaymentBody = z
  .object({
    // Any non-empty string: one that is no UUID names no order and answers 404.
    orderId: z.string({ error: 'orderId is required' }).min(1, 'orderId is required').meta({ format: 'uuid' }),
    token: z
      .string({ error: 'token is required' })
      .min(1, 'token must be 1 to 255 characters')
      .max(255, 'token must be 1 to 255 characters')
      .regex(STRIPE_PAYMENT_METHOD, 'token must be a Stripe card token (tok_…) or PaymentMethod id (pm_…)'),
  })
  .meta({ id: 'CreatePaymentRequest' });

export const paymentJson = z.object({ id: uuid, orderId: uuid, stripeId: z.string() }).meta({ id: 'Payment' });

export const paymentRoutes = {
  create: defineRoute({
    method: 'post',
    path: '/api/payments',
    summary: "Pay for one of the caller's orders with a card",
    auth: 'session',
    request: { body: createPaymentBody },
    responses: {
      201: json(paymentJson, 'The payment'),
      ...errors({
        400: 'Invalid body, or the order is cancelled, expired or already paid',
        401: 'Not signed in, or not the buyer',
        402: 'The card was declined; the order stays payable',
        404: 'No such order',
      }),
    },
  }),
};
