/**
 * Test and chaos-check hooks outside Stripe's API, under `/__emulator`. An optional
 * `Authorization: Bearer sk_test_…` scopes them to that key's account; without it they cover all.
 */
import { Router } from 'express';
import type { EmulatorState } from '../state';
import { optionalApiKey } from './auth';

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
  return router;
}
