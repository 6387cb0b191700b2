/**
 * The emulator as an Express app: Stripe's PaymentIntents API under `/v1`, inspection hooks under
 * `/__emulator`, all state in memory. Nothing happens at import; `createStripeEmulator` builds it.
 */
import express, { type Express } from 'express';
import { parseLatency } from './config';
import { apiRoutes } from './http/api-routes';
import { emulatorRoutes } from './http/emulator-routes';
import { errorHandler, notFound } from './http/error-handler';
import { requestId } from './http/request-id';
import { EmulatorState } from './state';
import { WebhookSender, type WebhookEndpoint } from './webhooks';

export interface StripeEmulatorOptions {
  /** Delay before each API operation runs, to make races observable. Default: `STRIPE_EMULATOR_LATENCY_MS` or 0. */
  latencyMs?: number;
  /** Shared state, e.g. to inspect it in-process. Default: a fresh one. */
  state?: EmulatorState;
  /** Where to send webhooks (ignored when `state` is given: set `state.webhooks.endpoint`). */
  webhook?: WebhookEndpoint;
}

export function createStripeEmulator(options: StripeEmulatorOptions = {}): Express {
  const state = options.state ?? new EmulatorState(new WebhookSender({ endpoint: options.webhook }));
  const latencyMs = options.latencyMs ?? parseLatency(process.env['STRIPE_EMULATOR_LATENCY_MS']);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // GET parameters use the same bracket syntax as bodies (`expand[0]=latest_charge`).
  app.set('query parser', 'extended');
  app.use(requestId);
  app.use('/v1', apiRoutes({ state, latencyMs }));
  app.use('/__emulator', emulatorRoutes(state));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
