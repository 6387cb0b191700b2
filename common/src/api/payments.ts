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

/** What POST /api/payments answers: an authorization (the order completes only when orders decides). */
export const paymentJson = z
  .object({
    id: uuid,
    orderId: uuid,
    stripeId: z.string(),
    status: z.enum(['authorized', 'requires_action']),
    clientSecret: z.string().optional().meta({ description: "With `requires_action`: the PaymentIntent's client secret, for Stripe.js to finish the extra step." }),
  })
  .meta({ id: 'Payment' });

export const paymentStatus = z.enum(['requires_action', 'authorized', 'captured', 'voided', 'failed']).meta({ id: 'PaymentStatus' });

/** One payment of an order as GET /api/payments lists it. */
export const paymentRecordJson = z
  .object({ id: uuid, orderId: uuid, stripeId: z.string(), amount: z.number(), status: paymentStatus })
  .meta({ id: 'PaymentRecord' });

export const listPaymentsQuery = z.object({
  orderId: z.string().optional().meta({ description: "The order's id (a UUID; anything else answers 404).", format: 'uuid' }),
});

export const paymentRoutes = {
  create: defineRoute({
    method: 'post',
    path: '/api/payments',
    summary: "Pay for one of the caller's orders with a card",
    auth: 'session',
    request: { body: createPaymentBody },
    responses: {
      201: json(paymentJson, 'The authorization (or the extra step the card needs)'),
      ...errors({
        400: 'Invalid body, or the order is cancelled, expired, already paid or already authorized',
        401: 'Not signed in, or not the buyer',
        402: 'The card was declined; the order stays payable',
        404: 'No such order',
      }),
    },
  }),
  list: defineRoute({
    method: 'get',
    path: '/api/payments',
    summary: "An order's payments and what became of each (authorized, captured, voided…)",
    auth: 'session',
    request: { query: listPaymentsQuery },
    responses: { 200: json(z.array(paymentRecordJson), 'The payments, oldest first'), ...errors({ 401: 'Not signed in, or not the buyer', 404: 'No such order' }) },
  }),
  webhook: defineRoute({
    method: 'post',
    path: '/api/payments/webhook',
    summary: "Stripe's events about PaymentIntents (signed with the endpoint's secret)",
    description: 'The raw body is verified against the `Stripe-Signature` header; an event id seen before is acknowledged and ignored.',
    auth: 'none',
    request: {},
    responses: {
      200: json(z.object({ received: z.literal(true), outcome: z.string() }), 'Accepted'),
      ...errors({ 400: 'Missing or invalid signature' }),
    },
  }),
};
