/**
 * Test and chaos-check hooks outside Stripe's API, under `/__emulator`. An optional
 * `Authorization: Bearer sk_test_…` scopes them to that key's account; without it they cover all.
 */
import { json, Router } from 'express';
import { invalidRequest } from '../errors';
import { failAuthentication } from '../payment-intent-capture';
import type { EmulatorState } from '../state';
import { DEFAULT_API_VERSION } from './api-route';
import { authenticate, optionalApiKey } from './auth';

export function emulatorRoutes(state: EmulatorState): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/charges', (req, res) => {
    res.json(state.successfulCharges(optionalApiKey(req.get('authorization'))));
  });
  router.post('/reset', (req, res) => {
    state.reset(optionalApiKey(req.get('authorization')));
    res.json({ reset: true });
  });
  /** `{url, secret}` sets where webhooks go (one endpoint for every account); `{}` stops sending. */
  router.post('/webhook_endpoint', json(), (req, res) => {
    const { url, secret } = (req.body ?? {}) as { url?: unknown; secret?: unknown };
    if (url === undefined && secret === undefined) {
      state.webhooks.endpoint = undefined;
      res.json({ endpoint: null });
      return;
    }
    if (typeof url !== 'string' || !URL.canParse(url)) throw invalidRequest('url must be an absolute URL', { param: 'url' });
    if (typeof secret !== 'string' || secret === '') throw invalidRequest('secret is required', { param: 'secret' });
    state.webhooks.endpoint = { url, secret };
    res.json({ endpoint: { url } });
  });
  /** Every webhook event built so far, with its delivery attempts, oldest first. */
  router.get('/webhook_events', (_req, res) => {
    res.json(state.webhooks.events());
  });
  /** The customer failed the 3-D Secure step of an intent in `requires_action`. */
  router.post('/payment_intents/:id/fail_authentication', (req, res) => {
    const account = state.account(authenticate(req.get('authorization')));
    res.json(failAuthentication(account, req.params.id, req.get('stripe-version') ?? DEFAULT_API_VERSION));
  });
  return router;
}
