import { createServiceApp, type BaseAppDeps } from '@microtick/common';
import type { Express } from 'express';
import type { PaymentDeps } from './payments/pay-order';
import { createPaymentRouter } from './routes/create-payment';
import { listPaymentsRouter } from './routes/list-payments';
import { stripeWebhookRouter } from './routes/stripe-webhook';

export type PaymentsAppDeps = BaseAppDeps & Omit<PaymentDeps, 'logger'> & { webhookSecret: string };

export function buildApp({ db, stripe, attemptLeaseMs, webhookSecret, ...base }: PaymentsAppDeps): Express {
  return createServiceApp({
    ...base,
    routes: (app) => {
      // Before the other /api/payments routes: Stripe signs its requests, it has no session.
      app.use(stripeWebhookRouter({ db, stripe, webhookSecret }));
      app.use(createPaymentRouter({ db, stripe, attemptLeaseMs, logger: base.logger }));
      app.use(listPaymentsRouter({ db }));
    },
  });
}
