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

export const paymentJson = z
  .object({
    id: uuid,
    orderId: uuid,
    stripeId: z.string(),
    status: z.enum(['authorized', 'requires_action']).meta({ description: 'Authorized (held; orders completes the order, then it is captured), or waiting for the extra step the card asks for.' }),
    clientSecret: z.string().optional().meta({ description: 'With `requires_action`: the PaymentIntent client secret for Stripe.js.' }),
  })
  .meta({ id: 'Payment' });

export const paymentStatus = z.enum(['requires_action', 'authorized', 'captured', 'voided', 'failed']).meta({ id: 'PaymentStatus' });

export const paymentRecordJson = z
  .object({
    id: uuid,
    orderId: uuid,
    stripeId: z.string(),
    amount: z.number().meta({ description: 'The amount authorized, in currency units.' }),
    status: paymentStatus.meta({ description: 'captured: the order is complete and the money taken; voided: the order was cancelled and the hold released (not charged); failed: the extra step failed.' }),
  })
  .meta({ id: 'PaymentRecord' });

export const listPaymentsQuery = z.object({
  // Not validated as a UUID: anything else names no order, and the route answers 404 for it (and for none).
  orderId: z.string({ error: 'orderId must be given once' }).optional().meta({ description: 'The order (a UUID; anything else, or none, answers 404).', format: 'uuid' }),
});

export const paymentRoutes = {
  create: defineRoute({
    method: 'post',
    path: '/api/payments',
    summary: "Authorize one of the caller's orders on a card (captured once orders completes the order)",
    auth: 'session',
    request: { body: createPaymentBody },
    responses: {
      201: json(paymentJson, 'The authorization, or the extra step it needs'),
      ...errors({
        400: 'Invalid body, or the order is cancelled, expired, paid or already authorized',
        401: 'Not signed in, or not the buyer',
        402: 'The card was declined; the order stays payable',
        404: 'No such order',
        409: 'Another payment for the order is in progress',
        503: 'The payment provider is unavailable',
      }),
    },
  }),
  list: defineRoute({
    method: 'get',
    path: '/api/payments',
    summary: "The payments of one of the caller's orders, oldest first",
    auth: 'session',
    request: { query: listPaymentsQuery },
    responses: { 200: json(z.array(paymentRecordJson), 'The payments'), ...errors({ 401: 'Not signed in, or not the buyer', 404: 'No such order' }) },
  }),
  webhook: defineRoute({
    method: 'post',
    path: '/api/payments/webhook',
    summary: "Stripe's events about PaymentIntents (signed; duplicates ignored)",
    description: 'The raw body is verified against the `Stripe-Signature` header with the webhook secret; no session.',
    auth: 'none',
    request: {},
    responses: {
      200: json(z.object({ received: z.literal(true), outcome: z.enum(['handled', 'duplicate', 'ignored']) }), 'Applied, already applied, or not about a payment of ours'),
      ...errors({ 400: 'Missing or invalid signature', 503: 'The payment is still being recorded; Stripe retries' }),
    },
  }),
};
