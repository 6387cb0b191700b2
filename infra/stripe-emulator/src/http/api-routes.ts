/** Stripe's `/v1` API surface that the emulator implements. */
import { Router, urlencoded } from 'express';
import { listPaymentIntents } from '../list-payment-intents';
import { cancelPaymentIntent, capturePaymentIntent } from '../payment-intent-capture';
import { confirmPaymentIntent, createPaymentIntent, retrievePaymentIntent } from '../payment-intents';
import { createRefund } from '../refunds';
import { createApiRoute, DEFAULT_API_VERSION, type ApiRouteDeps } from './api-route';
import { authenticate } from './auth';
import { notFound } from './error-handler';

export function apiRoutes(deps: ApiRouteDeps): Router {
  const { read, write } = createApiRoute(deps);
  const router = Router();
  router.use((req, res, next) => {
    res.set('Stripe-Version', req.get('stripe-version') ?? DEFAULT_API_VERSION);
    next();
  });
  // qs (extended) expands Stripe's bracket nesting: `metadata[k]=v`, `a[0]=x` and `a[]=x`.
  router.use(urlencoded({ extended: true, limit: '1mb' }));

  router.post('/payment_intents', write((ctx) => createPaymentIntent(ctx)));
  router.get('/payment_intents', read((ctx) => listPaymentIntents(ctx)));
  router.get('/payment_intents/:id', read(retrievePaymentIntent));
  router.post('/payment_intents/:id/confirm', write(confirmPaymentIntent));
  router.post('/payment_intents/:id/capture', write(capturePaymentIntent));
  router.post('/payment_intents/:id/cancel', write(cancelPaymentIntent));
  router.post('/refunds', write((ctx) => createRefund(ctx)));

  // Stripe authenticates before it routes: an unknown URL without a key is a 401.
  router.use((req, _res, next) => {
    authenticate(req.get('authorization'));
    next();
  }, notFound);
  return router;
}
