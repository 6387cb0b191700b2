import { BadRequestError, paymentRoutes, rawBodyOf } from '@microtick/common';
import { Router } from 'express';
import type Stripe from 'stripe';
import { applyStripeEvent } from '../payments/stripe-webhook';
import type { PaymentsDb } from '../db/schema';

export interface StripeWebhookDeps {
  db: PaymentsDb;
  stripe: Stripe;
  /** The endpoint's signing secret (`whsec_…`). */
  webhookSecret: string;
}

/**
 * POST /api/payments/webhook: Stripe's events, accepted only with a valid `Stripe-Signature` over
 * the exact bytes received (the SDK's constructEvent, which also refuses stale timestamps).
 */
export function stripeWebhookRouter({ db, stripe, webhookSecret }: StripeWebhookDeps): Router {
  const router = Router();
  router.post(paymentRoutes.webhook.path, async (req, res) => {
    const signature = req.get('stripe-signature');
    if (!signature) throw new BadRequestError('Missing Stripe-Signature header');
    let event: Stripe.Event;
    try {
      event = stripe.webhooks.constructEvent(rawBodyOf(req), signature, webhookSecret);
    } catch {
      throw new BadRequestError('Invalid Stripe signature');
    }
    const outcome = await applyStripeEvent(db, event);
    res.json({ received: true, outcome });
  });
  return router;
}
