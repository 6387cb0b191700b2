import { createServiceApp, type BaseAppDeps } from '@microtick/common';
import type { Express } from 'express';
import type { PaymentDeps } from './charging/pay-order';
import { createPaymentRouter } from './routes/create-payment';

export type PaymentsAppDeps = BaseAppDeps & PaymentDeps;

export function buildApp({ db, stripe, attemptLeaseMs, ...base }: PaymentsAppDeps): Express {
  return createServiceApp({
    ...base,
    routes: (app) => {
      app.use(createPaymentRouter({ db, stripe, attemptLeaseMs, logger: base.logger }));
    },
  });
}
